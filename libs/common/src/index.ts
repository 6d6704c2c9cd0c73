export * from './domain-error';
export * from './scrub';
export * from './logger';
export * from './redis';
export * from './redis.module';
export * from './metrics';
export * from './transient-errors';
