import { Injectable } from '@nestjs/common';
import { ConfigurationsService, FeaturesService } from '@botfleet/catalog';
import { BotSelfRepository } from '@botfleet/dal';
import { TopUpLimits, topUpLimits, usablePresets } from './top-up-rules';

/** What a bot offers for topping a wallet up: its limits, the preset amounts within them, its currency. */
export interface TopUpOffer extends TopUpLimits {
  presets: number[];
  currency: string;
}

/**
 * The tenant's top-up settings, read in one place: the limits from the `wallet` feature's config
 * (`minTopUpMinor`, `maxTopUpMinor`) and the preset buttons from the configuration key `wallet_topup_presets`.
 */
@Injectable()
export class TopUpOptions {
  constructor(
    private readonly features: FeaturesService,
    private readonly configurations: ConfigurationsService,
    private readonly botSelf: BotSelfRepository,
  ) {}

  async limits(botId: string): Promise<TopUpLimits> {
    return topUpLimits((await this.features.get(botId, 'wallet')).config);
  }

  async offer(botId: string): Promise<TopUpOffer> {
    const [limits, presets, currency] = await Promise.all([
      this.limits(botId),
      this.configurations.get(botId, 'wallet_topup_presets'),
      this.botSelf.currency(botId),
    ]);
    return { ...limits, presets: usablePresets(presets, limits), currency };
  }
}
