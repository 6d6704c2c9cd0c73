import { Module } from '@nestjs/common';
import { OrderHooks, OrdersService } from './orders.service';
import { WholesaleWalletService } from './wholesale-wallet.service';
import { UserLedgerService } from './user-ledger.service';

@Module({
  providers: [UserLedgerService, WholesaleWalletService, OrdersService, OrderHooks],
  exports: [UserLedgerService, WholesaleWalletService, OrdersService, OrderHooks],
})
export class BillingModule {}
