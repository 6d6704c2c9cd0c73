import { BotApiError, tooManyRequests } from './bot-api-error';

/** Faults to inject, for every bot (global) or one bot. A bot's own setting wins over the global one, field by field. */
export interface FaultConfig {
  /**
   * Answer 429 with `parameters.retry_after` when the bot makes more than `perSecond` send-method calls
   * (send*, copy, forward, edit) within any one-second window. Rejected calls do not count.
   */
  rateLimit?: { perSecond: number; retryAfter?: number };
  /** The next `count` calls (of `methods`, or of any method) fail with HTTP `status` (default 500). */
  failNext?: { count: number; status?: number; methods?: string[] };
  /** This share (0..1) of calls (of `methods`, or of any method) fails with HTTP `status` (default 500). */
  failRatio?: { ratio: number; status?: number; methods?: string[] };
  /** Every answer (to `methods`, or to any method) is held back this long. */
  delay?: { ms: number; methods?: string[] };
  /**
   * The next `count` calls (of `methods`, or of any method) are carried out (a message is sent) but their answer is
   * lost: HTTP `status` comes back instead (a 502 or 504 from Telegram's front), or with no `status` the connection is
   * closed unanswered (the client sees a reset, as when its request timed out).
   */
  loseAnswer?: { count: number; status?: number; methods?: string[] };
  /**
   * The next `count` successful sendPhoto calls are answered with a message that has no `photo`: the picture is
   * kept as a `document`, as Telegram does with a file it does not take as a photo (an animation, say).
   */
  photoAsDocument?: { count: number };
}

const SERVER_ERRORS: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function serverError(status: number): BotApiError {
  return new BotApiError(status, SERVER_ERRORS[status] ?? 'Internal Server Error');
}

export function isSendMethod(method: string): boolean {
  return (
    (method.startsWith('send') && method !== 'sendChatAction') ||
    method.startsWith('editMessage') ||
    method === 'copyMessage' ||
    method === 'copyMessages' ||
    method === 'forwardMessage' ||
    method === 'forwardMessages'
  );
}

/** Exactly "at most N calls in any second": a ring of the last N accepted call times. */
export class SlidingWindowLimiter {
  private readonly stamps: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(readonly perSecond: number) {
    this.stamps = new Float64Array(Math.max(1, perSecond));
  }

  /** Returns 0 when the call is allowed (and counts it), otherwise milliseconds until it would be. */
  tryAcquire(now: number): number {
    if (this.filled < this.stamps.length) {
      this.stamps[this.next] = now;
      this.next = (this.next + 1) % this.stamps.length;
      this.filled++;
      return 0;
    }
    const oldest = this.stamps[this.next];
    const wait = oldest + 1000 - now;
    if (wait > 0) return wait;
    this.stamps[this.next] = now;
    this.next = (this.next + 1) % this.stamps.length;
    return 0;
  }
}

/** One scope's faults plus the state they need (remaining failures, the rate window). */
export class FaultState {
  failNextRemaining: number;
  photoAsDocumentRemaining: number;
  loseAnswerRemaining: number;
  private readonly failNextMethods: Set<string> | undefined;
  private readonly failRatioMethods: Set<string> | undefined;
  private readonly delayMethods: Set<string> | undefined;
  private readonly loseAnswerMethods: Set<string> | undefined;

  constructor(readonly config: FaultConfig) {
    this.failNextRemaining = config.failNext?.count ?? 0;
    this.photoAsDocumentRemaining = config.photoAsDocument?.count ?? 0;
    this.failNextMethods = toSet(config.failNext?.methods);
    this.failRatioMethods = toSet(config.failRatio?.methods);
    this.delayMethods = toSet(config.delay?.methods);
    this.loseAnswerRemaining = config.loseAnswer?.count ?? 0;
    this.loseAnswerMethods = toSet(config.loseAnswer?.methods);
  }

  delayFor(method: string): number {
    const delay = this.config.delay;
    if (!delay || delay.ms <= 0 || !matches(this.delayMethods, method)) return 0;
    return delay.ms;
  }

  /** Consumes one of the scheduled `failNext` failures if this call matches. */
  nextFailure(method: string): BotApiError | undefined {
    if (this.failNextRemaining <= 0 || !matches(this.failNextMethods, method)) return undefined;
    this.failNextRemaining--;
    return serverError(this.config.failNext?.status ?? 500);
  }

  /** Consumes one of the scheduled `loseAnswer` faults if this call matches: the status to answer, or 0 for none. */
  lostAnswer(method: string): number | undefined {
    if (this.loseAnswerRemaining <= 0 || !matches(this.loseAnswerMethods, method)) return undefined;
    this.loseAnswerRemaining--;
    return this.config.loseAnswer?.status ?? 0;
  }

  /** Consumes one of the scheduled `photoAsDocument` answers. */
  takePhotoAsDocument(): boolean {
    if (this.photoAsDocumentRemaining <= 0) return false;
    this.photoAsDocumentRemaining--;
    return true;
  }

  ratioFailure(method: string, random: () => number): BotApiError | undefined {
    const ratio = this.config.failRatio;
    if (!ratio || ratio.ratio <= 0 || !matches(this.failRatioMethods, method) || random() >= ratio.ratio)
      return undefined;
    return serverError(ratio.status ?? 500);
  }
}

/** Per-bot rate state: the window is rebuilt when the configured rate changes. */
export class BotRateLimit {
  private limiter: SlidingWindowLimiter | undefined;

  check(limit: FaultConfig['rateLimit'], now: number): BotApiError | undefined {
    if (!limit || limit.perSecond <= 0) return undefined;
    if (!this.limiter || this.limiter.perSecond !== limit.perSecond) {
      this.limiter = new SlidingWindowLimiter(limit.perSecond);
    }
    const wait = this.limiter.tryAcquire(now);
    if (wait === 0) return undefined;
    return tooManyRequests(limit.retryAfter ?? Math.max(1, Math.ceil(wait / 1000)));
  }
}

function toSet(methods: string[] | undefined): Set<string> | undefined {
  return methods && methods.length > 0 ? new Set(methods.map((method) => method.toLowerCase())) : undefined;
}

function matches(methods: Set<string> | undefined, method: string): boolean {
  return methods === undefined || methods.has(method.toLowerCase());
}
