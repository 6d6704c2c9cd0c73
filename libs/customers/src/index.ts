export * from './customers.service';
export * from './subscription-switch.service';
export * from './resend-subscription-link.use-case';
export * from './balance-adjustment-rules';
export * from './bot-stats.service';
export * from './stats-range';
export * from './customers.module';
