export * from './tracking-number';
export * from './sale-events';
export * from './purchase.service';
export * from './card-payment.service';
export * from './review-policy';
export * from './wallet-payment.service';
export * from './fulfilment.service';
export * from './sales.module';
