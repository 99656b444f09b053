export * from './types';
export * from './plan';
export * from './verify';
export * from './annotate';
export * from './describe';
export * from './snapshot';
export * from './render';
