export * from './four-letter';
export * from './observe';
