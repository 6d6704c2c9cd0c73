import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import Redis from 'ioredis';
import { DomainError, ErrorCode, REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';

/** Failed authentications (bad tokens, bad invite codes) allowed per address per window before 429. */
export const AUTH_FAILURE_LIMIT = 20;
const AUTH_FAILURE_WINDOW_S = 60;

/**
 * Counts failed credentials per client address in Redis (shared by every API process). Past the limit
 * every credential from that address is refused — also a right one, so guessing learns nothing — until
 * the window passes. Used for bearer tokens (the guard) and invite codes (onboarding).
 */
@Injectable()
export class AuthFailureLimiter {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  static addressOf(req: Request): string {
    return req.ip ?? req.socket.remoteAddress ?? 'unknown';
  }

  async assertAllowed(address: string): Promise<void> {
    const failures = Number(await this.redis.get(this.key(address))) || 0;
    if (failures >= AUTH_FAILURE_LIMIT) {
      throw new DomainError(ErrorCode.RATE_LIMITED, 'Too many failed authentication attempts; try again in a minute');
    }
  }

  async recordFailure(address: string): Promise<void> {
    const key = this.key(address);
    await this.redis.multi().incr(key).expire(key, AUTH_FAILURE_WINDOW_S).exec();
  }

  private key(address: string): string {
    return `${this.config.REDIS_PREFIX}:auth-fail:${address}`;
  }
}
