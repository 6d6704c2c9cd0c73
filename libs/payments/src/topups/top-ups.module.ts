import { Module } from '@nestjs/common';
import { BillingModule } from '@botfleet/billing';
import { CatalogModule } from '@botfleet/catalog';
import { SalesModule } from '@botfleet/sales';
import { PaymentsModule } from '../payments.module';
import { StartCardTopUpUseCase } from './start-card-top-up.use-case';
import { StartGatewayTopUpUseCase } from './start-gateway-top-up.use-case';
import { TopUpOptions } from './top-up-options.service';
import { WalletQueries } from './wallet-queries.service';

const TOP_UP_PROVIDERS = [TopUpOptions, StartCardTopUpUseCase, StartGatewayTopUpUseCase, WalletQueries];

/**
 * Wallet top-ups (issue 12 part 5): the limits and presets, the card top-up (the sale's receipt review pays
 * it: ApproveReceiptUseCase posts the deposit), the gateway top-up (the payments port, purpose 'topup'), the
 * wallet's queries.
 */
@Module({
  imports: [BillingModule, CatalogModule, SalesModule, PaymentsModule],
  providers: TOP_UP_PROVIDERS,
  exports: TOP_UP_PROVIDERS,
})
export class TopUpsModule {}
