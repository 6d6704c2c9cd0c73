import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { boundedRedis, DomainError, ErrorCode, REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';

/** Failed authentications (bad tokens, bad invite codes) allowed per address per window before 429. */
export const AUTH_FAILURE_LIMIT = 20;
const AUTH_FAILURE_WINDOW_S = 60;
/** How long a request waits for the shared counter (after no answer, Redis is left alone for a moment). */
const REDIS_WAIT_MS = 300;
/** Addresses the in-process fallback counter (and the clean-address memo) keep at most. */
const LOCAL_MAX_ADDRESSES = 10_000;
/**
 * How long an address Redis said had no failures is taken as clean without asking again. Failures this process
 * records end it at once; failures recorded by another API process are seen here within this time, so an
 * address past the limit may get this long of extra tries per process — against a limit of 20 a minute.
 */
export const CLEAN_MEMO_MS = 1_000;

/**
 * Counts failed credentials per client address in Redis (shared by every API process). Past the limit
 * every credential from that address is refused — also a right one, so guessing learns nothing — until
 * the window passes. Used for bearer tokens (the guard) and invite codes (onboarding).
 *
 * Redis not answering fails open for valid credentials but not for guessing: each read or write waits at most
 * REDIS_WAIT_MS, then this process counts failures in memory (same limit and window) until Redis answers again,
 * so a request never hangs on the limiter and guessing stays bounded per API process.
 */
@Injectable()
export class AuthFailureLimiter {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  /** The client's address as the HTTP server resolved it (behind the proxies TRUST_PROXY names). */
  static addressOf(req: { ip?: string; socket?: { remoteAddress?: string } }): string {
    return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
  }

  private readonly local = new Map<string, { failures: number; until: number }>();

  /** Addresses with no failures in Redis lately, and until when that answer is trusted (no Redis call per request). */
  private readonly clean = new Map<string, number>();

  async assertAllowed(address: string): Promise<void> {
    const now = Date.now();
    if ((this.clean.get(address) ?? 0) > now) return;
    const shared = await this.fromRedis(() => this.redis.get(this.key(address)));
    const failures = shared === undefined ? this.localFailures(address) : Number(shared) || 0;
    if (shared !== undefined && failures === 0) this.memoClean(address, now);
    if (failures >= AUTH_FAILURE_LIMIT) {
      throw new DomainError(ErrorCode.RATE_LIMITED, 'Too many failed authentication attempts; try again in a minute');
    }
  }

  async recordFailure(address: string): Promise<void> {
    this.clean.delete(address);
    const key = this.key(address);
    const done = await this.fromRedis(() => this.redis.multi().incr(key).expire(key, AUTH_FAILURE_WINDOW_S).exec());
    if (done === undefined) this.countLocally(address);
  }

  /** Redis' answer, or undefined when it gave none within REDIS_WAIT_MS (or lately gave none). */
  private async fromRedis<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await boundedRedis(this.redis, REDIS_WAIT_MS, read);
    } catch {
      return undefined;
    }
  }

  private memoClean(address: string, now: number): void {
    if (this.clean.size >= LOCAL_MAX_ADDRESSES) {
      for (const [a, until] of this.clean) if (until <= now) this.clean.delete(a);
      if (this.clean.size >= LOCAL_MAX_ADDRESSES) this.clean.delete(this.clean.keys().next().value as string);
    }
    this.clean.set(address, now + CLEAN_MEMO_MS);
  }

  private localFailures(address: string): number {
    const entry = this.local.get(address);
    return entry && entry.until > Date.now() ? entry.failures : 0;
  }

  private countLocally(address: string): void {
    const now = Date.now();
    if (this.local.size >= LOCAL_MAX_ADDRESSES) {
      for (const [a, e] of this.local) if (e.until <= now) this.local.delete(a);
      // Still full of live entries: forget the oldest rather than grow without bound.
      if (this.local.size >= LOCAL_MAX_ADDRESSES) this.local.delete(this.local.keys().next().value as string);
    }
    const failures = this.localFailures(address) + 1;
    this.local.set(address, {
      failures,
      until: failures === 1 ? now + AUTH_FAILURE_WINDOW_S * 1000 : this.local.get(address)!.until,
    });
  }

  private key(address: string): string {
    return `${this.config.REDIS_PREFIX}:auth-fail:${address}`;
  }
}
