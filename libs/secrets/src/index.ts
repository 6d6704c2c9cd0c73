export * from './secrets.service';
export * from './secrets.module';
