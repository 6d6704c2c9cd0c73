export * from './principal';
export * from './auth.decorators';
export * from './api-auth.guard';
export * from './auth.module';
export * from './auth-failure-limiter';
export * from './bot-access-cache';
