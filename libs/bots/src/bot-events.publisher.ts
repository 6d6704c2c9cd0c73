import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { BotEventType, publishBotEvent } from '../bot-events';
import { BotAccessCache } from './bot-access-cache';

/**
 * Tells the worker's supervisor (and every API process's BotAccessCache) that a bot changed. Called after the change committed; a lost
 * message is not fatal (the supervisor also reconciles from the database), so a Redis hiccup
 * is logged and the request still succeeds.
 */
@Injectable()
export class BotEventsPublisher {
  private readonly logger = new Logger(BotEventsPublisher.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
    @Optional() private readonly access?: BotAccessCache,
  ) {}

  async publish(botId: string, type: BotEventType): Promise<void> {
    // This process forgets the bot at once; the others when the event reaches them.
    this.access?.invalidate(botId);
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
