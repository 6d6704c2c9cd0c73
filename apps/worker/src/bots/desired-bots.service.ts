import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { describeError, REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { BotEvent, botEventsChannel, parseBotEvent } from '@botfleet/bots';
import { HostedBotRow, HostedBotsRepository } from '@botfleet/platform';
import { BotCredentials, BotProfileService, BotRuntime, BotRuntimes } from '@botfleet/telegram';
import { botsDesired } from './bot-metrics';

/** A hosted bot row as the runtimes want it. */
export function credentialsOfRow(row: HostedBotRow): BotCredentials {
  return {
    botId: row.id,
    telegramBotId: row.telegramBotId,
    username: row.telegramUsername,
    name: row.name,
    tokenCiphertext: row.tokenCiphertext,
    tokenHash: row.tokenHash,
  };
}

/**
 * The bots that should run: every `active` bot, read through the platform path at boot, refreshed by the
 * bot events the API publishes over Redis (the supervisor reacts within a moment of the event) and by a
 * full reconcile every BOT_RECONCILE_MS as a safety net. A runtime whose bot left the set, or whose token
 * changed, is forgotten here.
 */
@Injectable()
export class DesiredBots {
  private readonly logger = new Logger(DesiredBots.name);
  private runnable = new Map<string, HostedBotRow>();
  private subscriber?: Redis;

  constructor(
    private readonly config: AppConfig,
    private readonly repo: HostedBotsRepository,
    private readonly runtimes: BotRuntimes,
    private readonly profiles: BotProfileService,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  get size(): number {
    return this.runnable.size;
  }

  ids(): string[] {
    return [...this.runnable.keys()];
  }

  get(botId: string): HostedBotRow | undefined {
    return this.runnable.get(botId);
  }

  /** Subscribes to the bot events; `onEvent` hears each one. */
  async listen(onEvent: (event: BotEvent) => void): Promise<void> {
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('message', (_channel: string, message: string) => {
      const event = parseBotEvent(message);
      if (event) onEvent(event);
    });
    this.subscriber.on('error', (err: Error) => this.logger.warn(`bot events subscriber: ${err.message}`));
    await this.subscriber.subscribe(botEventsChannel(this.config.REDIS_PREFIX));
  }

  async close(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** Re-reads one bot (any status). One that should not run leaves the set and its runtime is forgotten. */
  async reread(botId: string): Promise<HostedBotRow | null> {
    const row = await this.repo.get(botId);
    if (row?.status === 'active') {
      this.runnable.set(botId, row);
    } else {
      this.runnable.delete(botId);
      this.dropRuntime(botId);
    }
    return row;
  }

  /** The whole set again; only bots that are new or changed since the last round are read in full. */
  async reconcile(): Promise<void> {
    const versions = await this.repo.listRunnableVersions();
    const next = new Map<string, HostedBotRow>();
    const changed: string[] = [];
    for (const v of versions) {
      const known = this.runnable.get(v.id);
      if (known && known.tokenHash === v.tokenHash && known.updatedAtMs === v.updatedAtMs) next.set(v.id, known);
      else changed.push(v.id);
    }
    for (const row of await this.repo.getRunnable(changed)) next.set(row.id, row);
    this.runnable = next;
    botsDesired.set(next.size);
    const dropped = this.runtimes.retain((botId, tokenHash) => next.get(botId)?.tokenHash === tokenHash);
    for (const botId of dropped) this.profiles.invalidate(botId);
  }

  /** A bot's token was rejected: it leaves the set if it still has that token. */
  forgetToken(botId: string, tokenHash: string): void {
    if (this.runnable.get(botId)?.tokenHash === tokenHash) this.runnable.delete(botId);
  }

  /** The runtime for a webhook update of a bot that should run, held here or not; null when it must not run. */
  async runtimeFor(botId: string): Promise<BotRuntime | null> {
    const cached = this.runtimes.cached(botId);
    if (cached) return cached;
    const row = this.runnable.get(botId) ?? (await this.repo.get(botId));
    return row ? this.runtimeOf(row) : null;
  }

  /** The runtime for this row's token; null when the bot is not active or its token cannot be decrypted. */
  runtimeOf(row: HostedBotRow): BotRuntime | null {
    if (row.status !== 'active') return null;
    try {
      return this.runtimes.for(credentialsOfRow(row));
    } catch (e) {
      this.logger.warn(`decrypting the token of bot ${row.id} failed: ${describeError(e)}`);
      return null;
    }
  }

  /** Forgets the bot's runtime if it was built for another token than the row's. */
  dropStaleRuntime(row: HostedBotRow): void {
    if (this.runtimes.cached(row.id)?.tokenHash !== row.tokenHash) this.dropRuntime(row.id);
  }

  /** Forgets the bot's runtime (and its cached profile); with `tokenHash`, only a runtime of that token. */
  dropRuntime(botId: string, tokenHash?: string): void {
    const dropped = this.runtimes.drop(botId, tokenHash);
    if (dropped || tokenHash === undefined) this.profiles.invalidate(botId);
  }
}
