import { Module } from '@nestjs/common';

/**
 * Growth: the free trial, reminders, auto-renew (libs/growth/src/trial, reminders, auto-renew) and
 * promo codes and referrals. Each part adds its providers to GROWTH_PROVIDERS.
 */
const GROWTH_PROVIDERS: Array<new (...args: never[]) => unknown> = [];

@Module({
  imports: [],
  providers: GROWTH_PROVIDERS,
  exports: GROWTH_PROVIDERS,
})
export class GrowthModule {}
