export * from './types';
export * from './quorum';
export * from './validate';
export * from './zoocfg';
export * from './settings-hash';
export * from './settings-keys';
export * from './sizing';
export * from './connect-string';
