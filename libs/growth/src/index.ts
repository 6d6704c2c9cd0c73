export * from './growth.module';
