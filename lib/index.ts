export * from './model';
export * from './planner';
export * from './runtime';
export * from './constructs';
