export * from './four-letter';
export * from './observe';
export * from './admin-client';
export * from './credentials';
export * from './executor';
export * from './live-state';
export * from './server-config';
export * from './wait';
