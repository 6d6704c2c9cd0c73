export * from './user-ledger.service';
export * from './tenant-wallet.service';
export * from './orders.service';
export * from './wholesale';
export * from './billing.module';
