export * from './user-ledger.service';
export * from './wholesale-wallet.service';
export * from './orders.service';
export * from './wholesale';
export * from './billing.module';
