export * from './approval';
export * from './draft-schema';
export * from './supplementary-ids';
export * from './task-definition';
export * from './task-rules';
export * from './task-state';
export * from './trigger-rules';
export * from './validate-task';
