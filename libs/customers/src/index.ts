export * from './customers.service';
export * from './customers.module';
