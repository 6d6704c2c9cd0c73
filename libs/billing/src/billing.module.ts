import { Module } from '@nestjs/common';
import { OrdersService } from './orders.service';
import { TenantWalletService } from './tenant-wallet.service';
import { UserLedgerService } from './user-ledger.service';

@Module({
  providers: [UserLedgerService, TenantWalletService, OrdersService],
  exports: [UserLedgerService, TenantWalletService, OrdersService],
})
export class BillingModule {}
