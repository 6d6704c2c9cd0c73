import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { botEventsChannel, BotEventsPublisher, parseBotEvent } from '@botfleet/bots';
import { REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { BotDirectory } from '@botfleet/platform';

/** How long an answer is kept at most; bot events drop it sooner (see the class comment). */
export const BOT_ACCESS_CACHE_MS = 5_000;
const MAX_ENTRIES = 50_000;

export interface TokenOwner {
  botId: string;
  status: string;
}

export interface WebhookInfo {
  status: string;
  webhookSecretSalt: string;
  /** The Telegram bot the bot row speaks for now: update ids are numbered per Telegram bot. */
  telegramBotId: number;
}

interface Entry<T> {
  value: T;
  expiresAt: number;
}

/**
 * The hot questions of every API request and webhook POST (whose token is this, what is this bot's status,
 * what is its webhook salt), answered from memory. Every change to a bot (status, token, API token, deletion)
 * publishes a bot event after its commit; this cache listens on that channel and drops the bot's entries at
 * once, in this process directly (`invalidate`, heard from the publisher) and in every other API process
 * within the pub/sub delay. While its subscription is not live (Redis down or reconnecting) it answers
 * nothing from memory, so a lost event cannot leave a revoked token working; the TTL bounds everything else.
 * Only positive answers are kept: an unknown token always reaches the database (and the failed-auth limit).
 */
@Injectable()
export class BotAccessCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(BotAccessCache.name);
  private readonly tokens = new Map<string, Entry<TokenOwner>>();
  private readonly tokenOf = new Map<string, string>();
  private readonly statuses = new Map<string, Entry<string>>();
  private readonly webhooks = new Map<string, Entry<WebhookInfo>>();
  private subscriber?: Redis;
  private subscribed = false;
  private live = false;
  /**
   * Bumped by every invalidation: an answer read from the database is kept only if no invalidation
   * happened while it was being read (else it may predate the change that invalidated).
   */
  private epoch = 0;

  constructor(
    private readonly directory: BotDirectory,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
    publisher: BotEventsPublisher,
  ) {
    publisher.onLocal((botId) => this.invalidate(botId));
  }

  onModuleInit(): void {
    const sub = this.redis.duplicate();
    this.subscriber = sub;
    sub.on('message', (_channel: string, message: string) => {
      const event = parseBotEvent(message);
      if (event) this.invalidate(event.botId);
    });
    // Events sent while the subscription was down are lost: start from nothing when it comes back.
    sub.on('close', () => {
      this.live = false;
      this.clear();
    });
    sub.on('ready', () => this.clear());
    sub.on('error', (err: Error) => this.logger.warn(`bot events subscriber: ${err.message}`));
    // Not awaited: with Redis down the API still boots (and answers everything from the database).
    // ioredis subscribes again by itself after a reconnect; `live` follows the subscription.
    sub.on('ready', () => {
      if (this.subscribed) this.live = true;
    });
    sub
      .subscribe(botEventsChannel(this.config.REDIS_PREFIX))
      .then(() => {
        this.subscribed = true;
        this.live = sub.status === 'ready';
      })
      .catch((err: Error) => this.logger.warn(`bot access cache stays off until Redis answers: ${err.message}`));
  }

  /** Whether answers are kept: the bot events subscription is live. */
  get isLive(): boolean {
    return this.live;
  }

  async onModuleDestroy(): Promise<void> {
    this.live = false;
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** The bot whose API token hashes to `sha256`, with its status, unless it was deleted. */
  async tokenOwner(sha256: string): Promise<TokenOwner | null> {
    const hit = this.fresh(this.tokens, sha256);
    if (hit) return hit;
    const epoch = this.epoch;
    const owner = await this.directory.tokenOwner(sha256);
    if (owner && this.keepable(epoch)) {
      const previous = this.tokenOf.get(owner.botId);
      if (previous && previous !== sha256) this.tokens.delete(previous);
      this.put(this.tokens, sha256, owner);
      this.tokenOf.set(owner.botId, sha256);
      this.put(this.statuses, owner.botId, owner.status);
    }
    return owner;
  }

  async status(botId: string): Promise<string | null> {
    return this.remember(this.statuses, botId, () => this.directory.status(botId));
  }

  async webhookInfo(botId: string): Promise<WebhookInfo | null> {
    return this.remember(this.webhooks, botId, () => this.directory.webhookInfo(botId));
  }

  /** Forgets everything about one bot (its event arrived, or this process just changed it). */
  invalidate(botId: string): void {
    this.epoch++;
    const hash = this.tokenOf.get(botId);
    if (hash) this.tokens.delete(hash);
    this.tokenOf.delete(botId);
    this.statuses.delete(botId);
    this.webhooks.delete(botId);
  }

  clear(): void {
    this.epoch++;
    this.tokens.clear();
    this.tokenOf.clear();
    this.statuses.clear();
    this.webhooks.clear();
  }

  /** A kept answer, else the database's, kept when positive and no invalidation happened meanwhile. */
  private async remember<T>(map: Map<string, Entry<T>>, key: string, load: () => Promise<T | null>): Promise<T | null> {
    const hit = this.fresh(map, key);
    if (hit) return hit;
    const epoch = this.epoch;
    const value = await load();
    if (value && this.keepable(epoch)) this.put(map, key, value);
    return value;
  }

  private keepable(epoch: number): boolean {
    return this.live && epoch === this.epoch;
  }

  private fresh<T>(map: Map<string, Entry<T>>, key: string): T | null {
    if (!this.live) return null;
    const entry = map.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= Date.now()) {
      map.delete(key);
      return null;
    }
    return entry.value;
  }

  private put<T>(map: Map<string, Entry<T>>, key: string, value: T): void {
    if (map.size >= MAX_ENTRIES) map.clear();
    map.set(key, { value, expiresAt: Date.now() + BOT_ACCESS_CACHE_MS });
  }
}
