export * from './top-up-rules';
export * from './top-up-options.service';
export * from './start-card-top-up.use-case';
export * from './start-gateway-top-up.use-case';
export * from './wallet-queries.service';
export * from './top-ups.module';
