export * from './result';
export * from './name-key';
