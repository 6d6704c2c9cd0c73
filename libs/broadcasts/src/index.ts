export * from './broadcast-html';
export * from './broadcast-content';
export * from './broadcasts.service';
export * from './broadcast-runs.service';
export * from './broadcasts.module';
