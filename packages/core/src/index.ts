// The product's rules as pure code: no I/O, no timers, no Date.now(). Time is always a parameter.
export * from './shared/index';
export * from './customer/index';
export * from './access/index';
export * from './project/index';
export * from './message/index';
export * from './task/index';
export * from './trigger/index';
export * from './audience/index';
export * from './delivery/index';
