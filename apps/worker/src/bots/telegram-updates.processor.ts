import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import type { Update } from 'telegraf/types';
import { REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { JobName, JobPayloads, OnJob } from '@botfleet/jobs';
import { ChatOrder } from '@botfleet/bot-api';
import { UpdateHandler, UpdateOutcome } from '../updates/update-handler.service';
import { DesiredBots } from './desired-bots.service';

/** How long a webhook update waits for an earlier update of its chat that another worker is running. */
const WEBHOOK_ORDER_WAIT_MS = 5_000;

/**
 * Webhook mode: the API queued each update (job id from bot id and update_id) before answering Telegram;
 * here any worker takes it, whether or not it holds the bot's lease, and feeds it to the bot's runtime
 * (BotRuntimes) through the same exactly-once pipeline as polling. A worker killed mid-job leaves the job to
 * BullMQ's stalled-job recovery, and processed_updates keeps the second run from answering twice. Runs in
 * polling mode too (cheap), so updates queued before a switch back to polling are never stranded.
 */
@Injectable()
export class TelegramUpdatesProcessor {
  private readonly chatOrder: ChatOrder;

  constructor(
    private readonly desired: DesiredBots,
    private readonly handler: UpdateHandler,
    config: AppConfig,
    @Inject(REDIS) redis: Redis,
  ) {
    this.chatOrder = new ChatOrder(redis, config.REDIS_PREFIX);
  }

  @OnJob({ name: JobName.HandleTelegramUpdate })
  process({ botId, update }: JobPayloads[JobName.HandleTelegramUpdate]): Promise<UpdateOutcome | 'skipped'> {
    return this.handleUpdate(botId, update as unknown as Update);
  }

  async handleUpdate(botId: string, update: Update): Promise<UpdateOutcome | 'skipped'> {
    // Another worker may be running an earlier update of the same chat: wait for it (bounded).
    await this.chatOrder.waitTurn(botId, update, WEBHOOK_ORDER_WAIT_MS);
    const runtime = await this.desired.runtimeFor(botId);
    const outcome = runtime ? await this.handler.dispatch(runtime, update) : 'skipped';
    // Only once it is through: an update that throws (retried by BullMQ) keeps its chat's successors waiting.
    await this.chatOrder.done(botId, update).catch(() => undefined);
    return outcome;
  }
}
