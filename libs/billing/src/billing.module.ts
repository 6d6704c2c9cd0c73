import { Module } from '@nestjs/common';
import { OrdersService } from './orders.service';
import { WholesaleWalletService } from './wholesale-wallet.service';
import { UserLedgerService } from './user-ledger.service';

@Module({
  providers: [UserLedgerService, WholesaleWalletService, OrdersService],
  exports: [UserLedgerService, WholesaleWalletService, OrdersService],
})
export class BillingModule {}
