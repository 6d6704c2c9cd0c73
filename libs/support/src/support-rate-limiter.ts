import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { DomainError, ErrorCode, REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import type { SupportLimits } from './support-rules';

const WINDOWS = { message: 60, ticket: 86_400 } as const;
export type SupportLimitKind = keyof typeof WINDOWS;

/**
 * Per-customer spam limits of support, in Redis: a fixed window per (bot, user, kind) — INCR and an expiry
 * in one round trip. A message that goes over is refused with RATE_LIMITED (`retryAfterSeconds` in the
 * details) and changes nothing; what was counted stays counted, so hammering does not reopen the window.
 */
@Injectable()
export class SupportRateLimiter {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  async consume(
    botId: string,
    userId: string,
    kind: SupportLimitKind,
    limits: SupportLimits,
    now = Date.now(),
  ): Promise<void> {
    const windowS = WINDOWS[kind];
    const limit = kind === 'message' ? limits.messagesPerMinute : limits.ticketsPerDay;
    const slot = Math.floor(now / 1000 / windowS);
    const key = `${this.config.REDIS_PREFIX}:support:rl:${kind}:${botId}:${userId}:${slot}`;
    const res = await this.redis
      .multi()
      .incr(key)
      .expire(key, windowS + 5)
      .exec();
    const count = Number(res?.[0]?.[1] ?? 0);
    if (count > limit) {
      const retryAfterSeconds = Math.max(1, (slot + 1) * windowS - Math.floor(now / 1000));
      throw new DomainError(
        ErrorCode.RATE_LIMITED,
        kind === 'message' ? 'Too many support messages; wait a moment' : 'Too many tickets today',
        { retryAfterSeconds },
      );
    }
  }
}
