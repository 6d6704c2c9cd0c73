import { Injectable } from '@nestjs/common';
import { FeaturesService } from '@botfleet/catalog';
import { DomainError, ErrorCode } from '@botfleet/common';
import { DEFAULT_SUPPORT_LIMITS, SupportLimits } from './support-rules';

const positive = (v: unknown, fallback: number): number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : fallback;

/** The `support_tickets` feature of a bot: whether customers may write, and the spam limits of its config. */
@Injectable()
export class SupportSettings {
  constructor(private readonly features: FeaturesService) {}

  /** The limits, or FEATURE_NOT_ALLOWED when the feature is off (customers cannot open or write tickets). */
  async requireEnabled(botId: string): Promise<SupportLimits> {
    const f = await this.features.get(botId, 'support_tickets');
    if (!f.enabled) throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, 'Support tickets are off for this bot');
    return {
      messagesPerMinute: positive(f.config.messagesPerMinute, DEFAULT_SUPPORT_LIMITS.messagesPerMinute),
      ticketsPerDay: positive(f.config.ticketsPerDay, DEFAULT_SUPPORT_LIMITS.ticketsPerDay),
    };
  }
}
