export * from './master-texts';
export * from './master-callbacks';
export * from './master-screens';
export * from './master-sessions';
export * from './master-console.port';
export * from './master-console.handler';
export * from './master-console.module';
export * from './owner-settings-link.handler';
