import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { BotEventType, publishBotEvent } from './bot-events';

/** Something in this process that must forget a bot the moment it changes (the API's bot access cache). */
export type LocalBotEventListener = (botId: string, type: BotEventType) => void;

/**
 * Tells the worker's supervisor (and every API process's bot access cache) that a bot changed. Called after
 * the change committed; a lost message is not fatal (the supervisor also reconciles from the database), so a
 * Redis hiccup is logged and the request still succeeds. Listeners in this process hear it first, directly.
 */
@Injectable()
export class BotEventsPublisher {
  private readonly logger = new Logger(BotEventsPublisher.name);
  private readonly local: LocalBotEventListener[] = [];

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  /** Heard synchronously on every publish of this process, before the event goes to Redis. */
  onLocal(listener: LocalBotEventListener): void {
    this.local.push(listener);
  }

  async publish(botId: string, type: BotEventType): Promise<void> {
    // This process forgets the bot at once; the others when the event reaches them.
    for (const listener of this.local) listener(botId, type);
    try {
      // ioredis queues commands while disconnected; do not let a request wait on that.
      await Promise.race([
        publishBotEvent(this.redis, this.config.REDIS_PREFIX, botId, type),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000).unref()),
      ]);
    } catch (err) {
      this.logger.warn({ botId, type, err: (err as Error)?.name }, 'could not publish bot event');
    }
  }
}
