export * from './props';
export * from './ensemble';
export * from './handler-command';
