import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import {
  BotEntity,
  BotSelfRepository,
  BroadcastEntity,
  BroadcastRepository,
  ClaimedDelivery,
  DeliveryOutcome,
  TenantDb,
  TenantRepositories,
} from '@botfleet/dal';
import { JobName, JobOutbox, jobIdFor } from '@botfleet/jobs';

/**
 * The domain side of sending a broadcast, for the worker (apps/worker/src/broadcasts): previews, claims,
 * outcomes, the crash rule, the end, and the progress message. Every state change is conditional, so two
 * runs of one chunk (a stalled job picked up while its first worker still lives) never send a user twice.
 */
@Injectable()
export class BroadcastRunsService {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly broadcasts: BroadcastRepository,
    private readonly botSelf: BotSelfRepository,
    private readonly outbox: JobOutbox,
  ) {}

  /** The bot's own row (its credentials, language, admin chat). */
  bot(botId: string): Promise<BotEntity | null> {
    return this.botSelf.get(botId);
  }

  find(botId: string, id: string): Promise<BroadcastEntity | null> {
    return this.repos.broadcasts.findById(botId, id);
  }

  /** The preview of `revision` reached the admin: the draft may start (unless it was edited since). */
  async previewed(botId: string, id: string, revision: number): Promise<boolean> {
    const n = await this.repos.broadcasts.update(
      botId,
      { id, status: 'draft', revision },
      { previewedAt: new Date(), failure: null },
    );
    return n > 0;
  }

  /** The preview of `revision` cannot be sent (the admin blocked the bot, a photo Telegram refuses…). */
  async previewFailed(botId: string, id: string, revision: number, reason: string): Promise<void> {
    await this.repos.broadcasts.update(
      botId,
      { id, status: 'draft', revision },
      { previewedAt: null, failure: `preview: ${reason}`.slice(0, 300) },
    );
  }

  claim(botId: string, id: string, claimId: string, limit: number): Promise<ClaimedDelivery[]> {
    return this.broadcasts.claim(botId, id, claimId, limit);
  }

  record(botId: string, id: string, claimId: string, outcomes: DeliveryOutcome[]): Promise<void> {
    return this.broadcasts.record(botId, id, claimId, outcomes);
  }

  /** Claims older than `staleMs` by another run belong to a run that died: `interrupted`, never sent again. */
  interruptStale(botId: string, id: string, staleMs: number, claimId: string): Promise<number> {
    return this.broadcasts.interruptStale(botId, id, staleMs, claimId);
  }

  /** Whether deliveries of this broadcast are still claimed by some run (in flight). */
  async inFlight(botId: string, id: string): Promise<number> {
    return (await this.broadcasts.counts(botId, id)).sending;
  }

  completeIfDone(botId: string, id: string): Promise<boolean> {
    return this.broadcasts.completeIfDone(botId, id);
  }

  /** Ends a running broadcast as failed (its bot's token was revoked, its jobs failed for good). */
  fail(botId: string, id: string, reason: string): Promise<boolean> {
    return this.broadcasts.end(botId, id, 'failed', reason.slice(0, 300));
  }

  /** Queues the next chunk (its own job id, so a retried chunk does not queue it twice). */
  async queueChunk(botId: string, id: string, chunk: number): Promise<void> {
    await this.outbox.add(
      botId,
      JobName.SendBroadcast,
      { botId, broadcastId: id, chunk },
      jobIdFor(JobName.SendBroadcast, [id, chunk]),
    );
  }

  /** Where the progress is posted: the admin chat (its topic), or the admin who got the preview. */
  async progressTarget(botId: string, b: BroadcastEntity): Promise<{ chatId: number; threadId?: number } | null> {
    const bot = await this.botSelf.get(botId);
    if (bot?.adminChatId) return { chatId: bot.adminChatId, threadId: bot.adminTopicId ?? undefined };
    const chatId = b.previewTelegramId ?? bot?.ownerTelegramId;
    return chatId ? { chatId } : null;
  }

  /** Remembers the progress message (only the first one posted counts: later ones are edits of it). */
  async progressPosted(
    botId: string,
    id: string,
    message?: { chatId: number; threadId?: number; messageId: number },
  ): Promise<void> {
    if (message) {
      await this.repos.broadcasts.update(
        botId,
        { id, progressMessageId: IsNull() },
        {
          progressChatId: message.chatId,
          progressThreadId: message.threadId ?? null,
          progressMessageId: message.messageId,
          progressPostedAt: new Date(),
        },
      );
      return;
    }
    await this.repos.broadcasts.update(botId, { id }, { progressPostedAt: new Date() });
  }

  /** The bot's language (progress texts are in it). */
  async languageOf(botId: string): Promise<'fa' | 'en' | 'ru'> {
    return (await this.botSelf.get(botId))?.defaultLanguage ?? 'en';
  }

  run<T>(botId: string, work: () => Promise<T>): Promise<T> {
    return this.db.run(botId, work);
  }
}
