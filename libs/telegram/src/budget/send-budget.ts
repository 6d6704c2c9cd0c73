import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type Redis from 'ioredis';
import { describeError, REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { PAUSE_SCRIPT, TAKE_SCRIPT } from './send-budget.lua';

/**
 * Who is waiting: an `interactive` send (an answer to a customer, a notice) may use the whole bucket; a `bulk`
 * send (a broadcast) only what is left above the reserve, or the token of the next refill, which it books (the
 * reserve lends it one token until that refill). So while a broadcast drains the bot an answer goes at once, and
 * a second answer in the same instant waits at most one refill (~40 ms at 25.5/s).
 */
export type SendPriority = 'interactive' | 'bulk';

export interface BudgetLimits {
  /** Messages per second per bot (the bucket's refill); 0 = no budget at all. */
  perSecond: number;
  burst: number;
  bulkReserve: number;
  chatPerSecond: number;
  chatBurst: number;
  groupPerMinute: number;
  groupBurst: number;
}

export function budgetLimitsOf(c: AppConfig): BudgetLimits {
  return {
    perSecond: c.TELEGRAM_BOT_MSGS_PER_S,
    burst: c.TELEGRAM_BOT_BURST,
    // The reserve is always below the bucket's size, or bulk sends could never go.
    bulkReserve: Math.min(c.TELEGRAM_BULK_RESERVE, c.TELEGRAM_BOT_BURST - 1),
    chatPerSecond: c.TELEGRAM_CHAT_MSGS_PER_S,
    chatBurst: c.TELEGRAM_CHAT_BURST,
    groupPerMinute: c.TELEGRAM_GROUP_MSGS_PER_MIN,
    groupBurst: c.TELEGRAM_GROUP_BURST,
  };
}

/** The Bot API calls Telegram counts as messages: send* (not chat actions), edits, copies and forwards. */
export function countsAsMessage(method: string): boolean {
  return (
    (method.startsWith('send') && method !== 'sendChatAction') ||
    method.startsWith('editMessage') ||
    method.startsWith('copyMessage') ||
    method.startsWith('forwardMessage')
  );
}

/**
 * Whether the call adds a message to its chat (so it counts against that chat's bucket too). An edit changes a
 * message already there: it counts against the bot's bucket only, so answering buttons in a busy admin group
 * (every press edits) is never held to the group's 20 messages a minute.
 */
export function addsToChat(method: string): boolean {
  return countsAsMessage(method) && !method.startsWith('editMessage');
}

/**
 * The budget's Redis keys. The bot id is the hash tag (`{…}`), so a bot's keys live on one cluster node and the
 * script may touch them together. A private chat (positive id) and a group or channel (negative id, @name)
 * have different limits.
 */
export function budgetKeys(prefix: string, botId: string, chatId?: number | string) {
  const base = `${prefix}:budget:{${botId}}`;
  return {
    bucket: base,
    pause: `${base}:pause`,
    chat: chatId === undefined ? undefined : `${base}:chat:${chatId}`,
  };
}

export function isPrivateChat(chatId: number | string): boolean {
  return typeof chatId === 'number' && chatId > 0;
}

/** One bot's side of the budget, as its client sees it. */
export interface SendGate {
  /** Resolves when one message to `chatId` may leave now (waits its turn; rejects only when `signal` aborts). */
  acquire(chatId: unknown, priority: SendPriority, signal?: AbortSignal): Promise<void>;
  /** Telegram said retry_after: the whole bot (every process, every priority) waits this long. */
  pause(ms: number): Promise<void>;
}

class Aborted extends Error {
  constructor() {
    super('The operation was aborted');
    this.name = 'AbortError';
  }
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Aborted());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The per-bot Telegram send budget (issue 14): a token bucket per bot in Redis shared by everything the bot
 * sends from any process — answers, notices, deliveries, broadcasts —, a smaller bucket per chat (~1/s to a
 * user, 20/min to a group), a pause for the whole bot after a 429, and two priorities. One Lua script per
 * message, no queue per bot and nothing kept per bot in memory, so 10,000 bots cost 10,000 small hashes that
 * expire once a bot has been quiet for a second. Fair across bots by construction: each bot has its own bucket.
 *
 * When Redis does not answer (REDIS_COMMAND_TIMEOUT_MS), the message goes anyway (fail open): Telegram's own
 * 429 and its retry_after, which the client honours, are the safety net behind the budget.
 */
@Injectable()
export class SendBudget {
  private readonly logger = new Logger(SendBudget.name);
  readonly limits: BudgetLimits;
  private readonly prefix: string;
  private readonly takeSha = sha1(TAKE_SCRIPT);
  private readonly pauseSha = sha1(PAUSE_SCRIPT);
  private lastWarnAt = 0;
  /** Per bot, the last bulk sender waiting in this process (dropped once it has its turn). */
  private readonly bulkQueues = new Map<string, Promise<void>>();

  constructor(
    config: AppConfig,
    @Optional() @Inject(REDIS) private readonly redis?: Redis,
  ) {
    this.limits = budgetLimitsOf(config);
    this.prefix = config.REDIS_PREFIX;
  }

  get enabled(): boolean {
    return !!this.redis && this.limits.perSecond > 0;
  }

  /** The bot's gate, or none when the budget is off. */
  gate(botId: string): SendGate | undefined {
    if (!this.enabled) return undefined;
    return {
      acquire: (chatId, priority, signal) => this.acquire(botId, chatId, priority, signal),
      pause: (ms) => this.pause(botId, ms),
    };
  }

  /**
   * One attempt: 0 = a message to `chatId` may leave now (counted); -ms = a bulk message booked the next refill's
   * token and leaves in ms (counted); otherwise the ms to wait before asking again.
   */
  async tryTake(botId: string, chatId: unknown, priority: SendPriority): Promise<number> {
    const redis = this.redis;
    if (!redis || this.limits.perSecond <= 0) return 0;
    const l = this.limits;
    const chat = typeof chatId === 'number' || typeof chatId === 'string' ? chatId : undefined;
    const keys = budgetKeys(this.prefix, botId, chat);
    const need = priority === 'bulk' ? 1 + l.bulkReserve : 1;
    const botTtl = Math.ceil((l.burst / l.perSecond) * 1000) + 1000;
    const isPrivate = chat !== undefined && isPrivateChat(chat);
    const chatRatePerMs = isPrivate ? l.chatPerSecond / 1000 : l.groupPerMinute / 60_000;
    const chatBurst = isPrivate ? l.chatBurst : l.groupBurst;
    const chatTtl = Math.ceil(chatBurst / chatRatePerMs) + 1000;
    const keyList = keys.chat ? [keys.bucket, keys.pause, keys.chat] : [keys.bucket, keys.pause];
    const args = [
      l.perSecond / 1000,
      l.burst,
      need,
      botTtl,
      chatRatePerMs,
      chatBurst,
      chatTtl,
      priority === 'bulk' ? 1 : 0,
    ];
    return Number(await this.evalScript(redis, this.takeSha, TAKE_SCRIPT, keyList, args));
  }

  /**
   * Waits until one message to `chatId` may leave. Never throws but for an abort: a Redis failure lets it go.
   * A bot's bulk sends in this process queue behind each other, so only the first asks Redis (one script run per
   * message instead of one per waiting sender); answers never queue (one chat's pace must not hold another's).
   */
  async acquire(botId: string, chatId: unknown, priority: SendPriority, signal?: AbortSignal): Promise<void> {
    if (priority !== 'bulk') return this.acquireNow(botId, chatId, priority, signal);
    const before = this.bulkQueues.get(botId) ?? Promise.resolve();
    const mine = before.catch(() => undefined).then(() => this.acquireNow(botId, chatId, priority, signal));
    this.bulkQueues.set(botId, mine);
    try {
      await mine;
    } finally {
      if (this.bulkQueues.get(botId) === mine) this.bulkQueues.delete(botId);
    }
  }

  private async acquireNow(
    botId: string,
    chatId: unknown,
    priority: SendPriority,
    signal?: AbortSignal,
  ): Promise<void> {
    for (;;) {
      let waitMs: number;
      try {
        waitMs = await this.tryTake(botId, chatId, priority);
      } catch (err) {
        this.warn(`send budget unavailable, sending anyway: ${describeError(err)}`);
        return;
      }
      if (waitMs === 0) return;
      if (waitMs < 0) {
        // Booked: one script run per broadcast message instead of two (ask, wait, ask again). A 429 pause set during
        // this wait (at most one refill) is not seen: the client's own 429 handling waits it out for this message.
        await wait(-waitMs, signal);
        return;
      }
      await wait(waitMs, signal);
    }
  }

  /** After a 429: no message of this bot leaves from any process for `ms`. */
  async pause(botId: string, ms: number): Promise<void> {
    const redis = this.redis;
    if (!redis || ms <= 0) return;
    try {
      await this.evalScript(redis, this.pauseSha, PAUSE_SCRIPT, [budgetKeys(this.prefix, botId).pause], [ms]);
    } catch (err) {
      this.warn(`could not pause bot ${botId}: ${describeError(err)}`);
    }
  }

  private async evalScript(
    redis: Redis,
    sha: string,
    source: string,
    keys: string[],
    args: (string | number)[],
  ): Promise<unknown> {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
      return redis.eval(source, keys.length, ...keys, ...args);
    }
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < 10_000) return;
    this.lastWarnAt = now;
    this.logger.warn(message);
  }
}

function sha1(source: string): string {
  return createHash('sha1').update(source).digest('hex');
}
