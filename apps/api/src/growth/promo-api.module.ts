import { Module } from '@nestjs/common';
import { GrowthModule } from '@botfleet/growth';
import { PromoCodesController } from './promo-codes.controller';
import { ReferralsController } from './referrals.controller';

/**
 * Promo codes and referral earnings over REST. Importing GrowthModule here also registers its order hooks in
 * the API (a payment settled or refunded through the API prices, credits and reverses like one in the worker).
 */
@Module({
  imports: [GrowthModule],
  controllers: [PromoCodesController, ReferralsController],
})
export class PromoReferralsApiModule {}
