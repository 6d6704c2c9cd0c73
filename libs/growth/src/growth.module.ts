import { Module } from '@nestjs/common';
import { BillingModule } from '@botfleet/billing';
import { CatalogModule } from '@botfleet/catalog';
import { SalesModule } from '@botfleet/sales';
import { AutoRenewals } from './auto-renew/auto-renewals.service';
import { Clock } from './clock';
import { PromoCodesService } from './promo/promo-codes.service';
import { PromoOrderHooks } from './promo/promo-order-hooks.service';
import { RedeemPromoUseCase } from './promo/redeem-promo.use-case';
import { ReferralCommissions } from './referrals/referral-commissions.service';
import { ReferralQueries } from './referrals/referral-queries.service';
import { RemindersService } from './reminders/reminders.service';
import { StartTrialUseCase } from './trial/start-trial.use-case';

/**
 * Growth: the free trial, reminders, auto-renew (libs/growth/src/trial, reminders, auto-renew) and
 * promo codes and referrals. Each part adds its providers to GROWTH_PROVIDERS.
 */
const GROWTH_PROVIDERS: Array<new (...args: never[]) => unknown> = [
  Clock,
  StartTrialUseCase,
  RemindersService,
  AutoRenewals,
  PromoCodesService,
  RedeemPromoUseCase,
  PromoOrderHooks,
  ReferralCommissions,
  ReferralQueries,
];

@Module({
  imports: [BillingModule, CatalogModule, SalesModule],
  providers: GROWTH_PROVIDERS,
  exports: GROWTH_PROVIDERS,
})
export class GrowthModule {}
