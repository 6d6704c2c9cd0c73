import { Telegram } from 'telegraf';
import type { Opts, Telegram as ApiMethods } from 'telegraf/types';
import { hasUpload, postJson } from './json-bot-api';
import { wellFormedPayload } from '../text/sanitize';
import { classifyTelegramError } from './telegram-errors';
import { addsToChat, countsAsMessage, SendGate, SendPriority } from '../budget/send-budget';

type CallOptions = NonNullable<Parameters<Telegram['callApi']>[2]>;

export interface RetryPolicy {
  /** Attempts for 5xx and network errors (the first call included). */
  maxAttempts: number;
  /** How many 429s in a row one call may wait out. */
  maxRateLimitWaits: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  maxRateLimitWaits: 20,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
};

export interface TelegramHooks {
  /** Telegram answered 401: the token was revoked or replaced. Called once per failing call. */
  onUnauthorized?(method: string): void;
  /** Telegram answered 429 and the call waits `retryAfterMs` before trying again. */
  onRateLimited?(method: string, retryAfterMs: number): void;
  /** A 5xx or network error; the call is retried after `delayMs`. */
  onRetry?(method: string, kind: string, delayMs: number): void;
}

class Aborted extends Error {
  constructor() {
    super('The operation was aborted');
    this.name = 'AbortError';
  }
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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
 * The one outgoing-call wrapper every bot uses (RELIABILITY.md 11), so handlers never retry by hand:
 * 429 waits `retry_after` and tries again (the call was not executed, so this cannot duplicate),
 * 5xx and network errors back off exponentially with jitter, 401 calls the hook BotRuntimes puts on every
 * client (the worker stops the bot and marks it token_invalid) and fails at once; 4xx otherwise fail at once.
 * An aborted call (the poller stopping) never retries.
 */
export class ResilientTelegram extends Telegram {
  constructor(
    token: string,
    options: ConstructorParameters<typeof Telegram>[1],
    private readonly hooks: TelegramHooks = {},
    private readonly policy: RetryPolicy = DEFAULT_RETRY_POLICY,
    /** The bot's send budget (libs/telegram/src/budget): every message waits its turn there first. */
    private readonly gate?: SendGate,
    readonly priority: SendPriority = 'interactive',
  ) {
    super(token, options);
  }

  /** The same bot's client sending at another priority (a broadcast sends `bulk`). */
  withPriority(priority: SendPriority): ResilientTelegram {
    if (priority === this.priority) return this;
    return new ResilientTelegram(this.token, this.options, this.hooks, this.policy, this.gate, priority);
  }

  /** The same bot's client with some of its retry policy changed (a send never to be repeated: `maxAttempts: 1`). */
  withRetries(policy: Partial<RetryPolicy>): ResilientTelegram {
    const merged = { ...this.policy, ...policy };
    return new ResilientTelegram(this.token, this.options, this.hooks, merged, this.gate, this.priority);
  }

  override async callApi<M extends keyof ApiMethods>(
    method: M,
    payload: Opts<M>,
    options: CallOptions = {},
  ): Promise<ReturnType<ApiMethods[M]>> {
    const signal = options.signal as AbortSignal | undefined;
    // The last line for text that is not ours: no lone surrogate or NUL reaches Telegram (README "Hostile text").
    payload = wellFormedPayload(payload);
    let failures = 0;
    let rateLimitWaits = 0;
    const budgeted = this.gate && countsAsMessage(method) ? this.gate : undefined;
    for (;;) {
      try {
        if (budgeted) await budgeted.acquire(chatOf(method, payload), this.priority, signal);
        return (await this.send(method, payload, options, signal)) as ReturnType<ApiMethods[M]>;
      } catch (err) {
        const f = classifyTelegramError(err);
        if (f.kind === 'unauthorized') {
          this.hooks.onUnauthorized?.(method);
          throw err;
        }
        if (signal?.aborted || f.kind === 'aborted') throw err;
        if (f.kind === 'rate_limited' && ++rateLimitWaits <= this.policy.maxRateLimitWaits) {
          this.hooks.onRateLimited?.(method, f.retryAfterMs);
          // Telegram's retry_after holds for the whole bot: every process and priority waits it out.
          await this.gate?.pause(f.retryAfterMs);
          await sleep(f.retryAfterMs, signal);
          continue;
        }
        if ((f.kind === 'server' || f.kind === 'network') && ++failures < this.policy.maxAttempts) {
          const exp = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (failures - 1));
          const delay = Math.round(exp / 2 + (Math.random() * exp) / 2);
          this.hooks.onRetry?.(method, f.kind, delay);
          await sleep(delay, signal);
          continue;
        }
        throw err;
      }
    }
  }

  /** JSON calls over our keep-alive client; uploads (multipart) through Telegraf's own. */
  private send<M extends keyof ApiMethods>(
    method: M,
    payload: Opts<M>,
    options: CallOptions,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    if (this.options.apiMode !== 'bot' || this.options.testEnv || hasUpload(payload)) {
      return super.callApi(method, payload, options);
    }
    // A long poll may take its whole timeout; anything else gets a minute.
    const pollS = method === 'getUpdates' ? Number((payload as { timeout?: number }).timeout ?? 0) : 0;
    return postJson(this.options.apiRoot, this.token, method, payload, signal, pollS * 1000 + 60_000);
  }
}

/** The chat whose bucket a call counts against: none for an edit (see `addsToChat`). */
function chatOf(method: string, payload: object): unknown {
  return addsToChat(method) ? (payload as { chat_id?: unknown }).chat_id : undefined;
}
