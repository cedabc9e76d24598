export * from './phone';
export * from './timezone';
export * from './profile-input';
export * from './event-input';
export * from './segment-compat';
export * from './event-batch';
