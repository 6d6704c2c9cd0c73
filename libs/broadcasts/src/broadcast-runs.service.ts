import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import {
  BotEntity,
  BotSelfRepository,
  BroadcastEntity,
  BroadcastRepository,
  ClaimedDelivery,
  NotificationLease,
  DeliveryOutcome,
  SentNotificationRepository,
  TenantDb,
  TenantRepositories,
} from '@botfleet/dal';
import { AppConfig } from '@botfleet/config';
import { JOB_QUEUE, JobName, JobQueue, jobIdFor } from '@botfleet/jobs';

/** A bot that can still speak: anything else ends its broadcast. */
const SPEAKING: readonly BotEntity['status'][] = ['active', 'paused'];
/** A job in one of these states still carries its broadcast's chain. */
const ALIVE = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);
/** What a delivery Telegram refused with 401 records. */
const TOKEN_REJECTED = 'Telegram rejected the bot token (401)';
/** Why a broadcast stopped at a 401. */
const TOKEN_REJECTED_STOP = 'Telegram rejected the bot token';

/** An age as a person reads it: whole days, hours, minutes or seconds. */
function ageText(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  const [size, name] = units.find(([u]) => ms >= u && ms % u === 0) ?? [1000, 'second'];
  const n = Math.max(1, Math.round(ms / size));
  return `${n} ${name}${n === 1 ? '' : 's'}`;
}

/** `sent_notifications` kind of a broadcast's end told to the bot's owner. */
const END_REPORT = 'broadcast_end';
const endReportKey = (broadcastId: string) => `broadcast:${broadcastId}:end`;

/**
 * The domain side of sending a broadcast, for the worker (apps/worker/src/broadcasts): previews, leases, the
 * mark around each send, the crash rule, the stop rules (a bot that cannot speak, a rejected token), the end,
 * the job chain and its sweep, and the progress message. Every state change is conditional, so two runs of one
 * chunk (a stalled job picked up while its first worker still lives, a chain re-queued by the sweep) never send
 * a user twice.
 */
/** A broadcast this large gets fresh table statistics before its first step (prepareSteps). */
export const ANALYZE_FROM_TOTAL = 500;

@Injectable()
export class BroadcastRunsService {
  /** prepareSteps: the ANALYZE under way in this process, and when the last finished one began. */
  private analysis: Promise<void> | null = null;
  private analyzedFrom = 0;

  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly broadcasts: BroadcastRepository,
    private readonly botSelf: BotSelfRepository,
    private readonly sent: SentNotificationRepository,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  /** The bot's own row (its credentials, language, admin chat). */
  bot(botId: string): Promise<BotEntity | null> {
    return this.botSelf.get(botId);
  }

  find(botId: string, id: string): Promise<BroadcastEntity | null> {
    return this.repos.broadcasts.findById(botId, id);
  }

  /** Why this bot cannot send a broadcast (gone, suspended, its token invalid…): null when it can. */
  cannotSend(bot: BotEntity | null): string | null {
    if (bot && SPEAKING.includes(bot.status)) return null;
    return `the bot is ${bot?.status ?? 'gone'}`;
  }

  /** The outcome of a send Telegram answered 401: not sent, and no later send of this bot can be either. */
  tokenRejected(userId: string): DeliveryOutcome {
    return { userId, status: 'failed', error: TOKEN_REJECTED };
  }

  /**
   * Why a run sends nothing more after this outcome, null to go on: a 401 means the token was revoked or
   * replaced, so every further send would meet it too (`stop` then ends the broadcast with this reason).
   */
  stopReason(outcome: DeliveryOutcome): string | null {
    return outcome.error === TOKEN_REJECTED ? TOKEN_REJECTED_STOP : null;
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

  /** The picture uploaded for the draft at `revision`, for its preview to take to Telegram; null when none. */
  photoUpload(botId: string, id: string, revision: number): Promise<{ data: Buffer; contentType: string } | null> {
    return this.broadcasts.photoUpload(botId, id, revision);
  }

  /**
   * The preview took the draft's uploaded picture to Telegram: its file_id becomes the draft's photo (what the
   * deliveries send) and the bytes are dropped. Nothing when the draft was edited since.
   */
  async photoUploaded(botId: string, id: string, revision: number, fileId: string): Promise<boolean> {
    const n = await this.repos.broadcasts.update(
      botId,
      { id, status: 'draft', revision },
      { photo: fileId, photoUpload: null, photoUploadType: null },
    );
    return n > 0;
  }

  /**
   * Drops uploaded picture bytes nobody will send (the sweep): a draft's untouched for longer than `maxAgeMs` —
   * the draft then waits for a picture again and says why —, or a broadcast's that already has its file_id or is
   * no draft. False when there were none to drop (any more).
   */
  dropAbandonedPhoto(botId: string, id: string, maxAgeMs: number): Promise<boolean> {
    const reason = `the uploaded picture was removed after ${ageText(maxAgeMs)} without a preview; upload it again`;
    return this.broadcasts.dropAbandonedPhoto(botId, id, maxAgeMs, reason);
  }

  /**
   * Ends a draft that waited longer than `maxAgeMs` for its picture (the sweep): `failed`, saying the picture never
   * came, so the API, the console and the bot show why it will never be sent. Only a draft still waiting and
   * untouched for that long; false otherwise.
   */
  endPhotoNeverCame(botId: string, id: string, maxAgeMs: number): Promise<boolean> {
    const reason = `the picture never came: the draft waited ${ageText(maxAgeMs)} for its upload`;
    return this.broadcasts.endAwaitingPhoto(botId, id, maxAgeMs, reason);
  }

  /** The preview of `revision` cannot be sent (the admin blocked the bot, a photo Telegram refuses…). */
  async previewFailed(botId: string, id: string, revision: number, reason: string): Promise<void> {
    await this.repos.broadcasts.update(
      botId,
      { id, status: 'draft', revision },
      { previewedAt: null, failure: `preview: ${reason}`.slice(0, 300) },
    );
  }

  /** Leases up to `limit` pending deliveries (past the user id `after`) to this run (`claimId`); a lease older than `leaseMs` passes on. */
  claim(
    botId: string,
    id: string,
    claimId: string,
    limit: number,
    leaseMs: number,
    after?: string,
  ): Promise<ClaimedDelivery[]> {
    return this.broadcasts.claim(botId, id, claimId, limit, leaseMs, after);
  }

  /**
   * Records what became of the deliveries just sent (`done`) and marks the next few `sending` right before
   * their Telegram calls (`next`): returns those of `next` that are still this run's to send.
   */
  step(botId: string, id: string, claimId: string, done: DeliveryOutcome[], next: string[]): Promise<string[]> {
    return this.broadcasts.step(botId, id, claimId, done, next);
  }

  /**
   * `step`, and a lease of up to `lease.limit` more rows (past `lease.after`), in one transaction: one commit —
   * with many bots broadcasting, the commits' WAL flushes were what PostgreSQL waited on most. The lease comes
   * first, so the broadcast row is locked before delivery rows, the order `end` takes them in.
   */
  stepAndLease(
    botId: string,
    id: string,
    claimId: string,
    done: DeliveryOutcome[],
    next: string[],
    lease: { limit: number; leaseMs: number; after?: string } | null,
  ): Promise<{ marked: string[]; leased: ClaimedDelivery[] }> {
    if (!lease) return this.step(botId, id, claimId, done, next).then((marked) => ({ marked, leased: [] }));
    return this.db.run(botId, async () => {
      const leased = await this.broadcasts.claim(botId, id, claimId, lease.limit, lease.leaseMs, lease.after);
      const marked = await this.broadcasts.step(botId, id, claimId, done, next);
      return { marked, leased };
    });
  }

  /**
   * Deliveries another run marked `sending` over `staleMs` ago were in flight when it died: `interrupted`
   * (may have arrived), never sent again.
   */
  interruptStale(botId: string, id: string, staleMs: number, claimId: string): Promise<number> {
    return this.broadcasts.interruptStale(botId, id, staleMs, claimId);
  }

  completeIfDone(botId: string, id: string): Promise<boolean> {
    return this.broadcasts.completeIfDone(botId, id);
  }

  /**
   * Before the first step of a broadcast of at least ANALYZE_FROM_TOTAL deliveries: the table's statistics are
   * refreshed so that its steps find their rows by key (BroadcastRepository.analyzeDeliveries). Smaller ones are
   * cheap to scan and not worth an ANALYZE each. False when it was not needed.
   */
  async prepareSteps(botId: string, b: { total: number }): Promise<boolean> {
    if (b.total < ANALYZE_FROM_TOTAL) return false;
    // The first chunk runs after the start committed, so an ANALYZE begun since this call sees this broadcast's
    // deliveries: fifty broadcasts starting together share one or two, instead of fifty queueing on the table's lock.
    const since = Date.now();
    for (;;) {
      if (this.analyzedFrom >= since) return false;
      if (!this.analysis) break;
      await this.analysis.catch(() => undefined);
    }
    const from = Date.now();
    this.analysis = this.broadcasts.analyzeDeliveries(botId).then(() => {
      this.analyzedFrom = Math.max(this.analyzedFrom, from);
    });
    try {
      await this.analysis;
      return true;
    } finally {
      this.analysis = null;
    }
  }

  /** Ends a running broadcast as failed (its bot's token was revoked, its jobs failed for good). */
  fail(botId: string, id: string, reason: string): Promise<boolean> {
    return this.broadcasts.end(botId, id, 'failed', reason.slice(0, 300));
  }

  /**
   * Stops a run that cannot go on (Telegram rejected the bot token): the deliveries it marked `sending` but did
   * not send (`notSent`) go back to its lease, and the broadcast ends failed — they and the rest of the lease are
   * `skipped` (certainly not sent), not `interrupted`. One transaction.
   */
  stop(botId: string, id: string, claimId: string, notSent: string[], reason: string): Promise<boolean> {
    return this.db.run(botId, async () => {
      await this.broadcasts.release(botId, id, claimId, notSent);
      return this.fail(botId, id, reason);
    });
  }

  /** The broadcast's counters (what the history lists) brought up to its deliveries. */
  refreshCounters(botId: string, id: string): Promise<void> {
    return this.broadcasts.refreshCounters(botId, id);
  }

  /**
   * Moves the broadcast's job chain on from chunk `from`: true for exactly one caller, who then queues chunk
   * `from + 1` (`queueChunk`). A run whose chain was taken over (the sweep re-queued it) gets false.
   */
  advance(botId: string, id: string, from: number): Promise<boolean> {
    return this.broadcasts.advance(botId, id, from);
  }

  /**
   * After a run of chunk `chunk` that leased `handled` deliveries: the broadcast it leaves ended (it had ended,
   * or nothing is left and it is now completed: its end is to be told), or null — the next chunk is queued at
   * once, or after half a lock when this run found nothing to lease (a dead run's leases not yet passed on); a
   * run whose chain was taken over queues nothing.
   */
  async afterChunk(botId: string, id: string, chunk: number, handled: number): Promise<BroadcastEntity | null> {
    const b = await this.find(botId, id);
    if (!b) return null;
    if (b.status !== 'running') return b;
    if (await this.completeIfDone(botId, id)) return (await this.find(botId, id)) ?? b;
    // One run moves the chain on: a twin run of this chunk (a stalled job whose first worker lived on), or a
    // run whose chain the sweep already re-queued, stops here.
    if (!(await this.advance(botId, id, chunk))) return null;
    const delay = handled > 0 ? 0 : Math.floor(this.config.BROADCAST_LOCK_MS / 2);
    await this.queueChunk(botId, id, chunk + 1, delay);
    return null;
  }

  /**
   * The sweep's rule for a running broadcast that has not moved for longer than a job lock: when the job of its
   * current chunk is not in the queue any more (its worker died with it, Redis was flushed or failed over), its
   * chain moves on and the next chunk is queued under a fresh deterministic job id. Safe beside a run that still
   * lives: deliveries are leased and marked one by one, and only one caller moves the chain on. Returns the state
   * the lost job was in when this call re-queued the chain, null when it left it alone.
   */
  async resumeIfLost(botId: string, id: string, chunk: number): Promise<string | null> {
    const queue = this.jobs.queue(JOB_QUEUE[JobName.SendBroadcast]);
    const state = await queue.getJobState(jobIdFor(JobName.SendBroadcast, [id, chunk]));
    if (ALIVE.has(state)) return null;
    if (!(await this.advance(botId, id, chunk))) return null;
    await this.queueChunk(botId, id, chunk + 1);
    return state;
  }

  /** Queues chunk `chunk` (its own job id, so the one who advanced the chain to it queues it once). */
  async queueChunk(botId: string, id: string, chunk: number, delayMs = 0): Promise<void> {
    await this.jobs.add(
      JobName.SendBroadcast,
      { botId, broadcastId: id, chunk },
      { jobId: jobIdFor(JobName.SendBroadcast, [id, chunk]), delay: delayMs },
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

  /**
   * Queues the telling of the broadcast's end to the bot's owner (the bot could not post it itself): one job per
   * broadcast however many runs end it (its deterministic id), whose retries relay it until it is told.
   */
  async queueEndReport(botId: string, id: string): Promise<void> {
    await this.jobs.add(
      JobName.ReportBroadcastEnd,
      { botId, broadcastId: id },
      { jobId: jobIdFor(JobName.ReportBroadcastEnd, [id]) },
    );
  }

  /**
   * Takes the telling of the broadcast's end to the owner and records it told before the relay is made: exactly one
   * caller gets the lease however many race (twin runs, a stalled job run again), and while its relay is in
   * flight — however slow — there is nothing left for another to take over, so the owner is never told twice.
   * `told` when it was; `busy` when another caller's claim is between its claim and its record (a claim left so
   * longer than `staleMs`, its caller dead, is taken over). The holder gives it back with `endReportFailed` when
   * the relay certainly did not reach the owner.
   */
  async takeEndReport(botId: string, id: string, staleMs: number): Promise<NotificationLease | 'told' | 'busy'> {
    const outcome = await this.sent.claimLease(
      botId,
      { userId: null, subscriptionId: null, kind: END_REPORT, dedupeKey: endReportKey(id) },
      staleMs,
    );
    if (outcome === 'done') return 'told';
    if (outcome === 'busy') return 'busy';
    return (await this.sent.markDone(botId, outcome.lease)) ? outcome.lease : 'busy';
  }

  /** The relay certainly did not reach the owner (Telegram refused it, no master bot): untold again, for a retry. */
  async endReportFailed(botId: string, lease: NotificationLease): Promise<void> {
    await this.sent.reopen(botId, lease);
  }

  /** The bot's language (progress texts are in it). */
  async languageOf(botId: string): Promise<'fa' | 'en' | 'ru'> {
    return (await this.botSelf.get(botId))?.defaultLanguage ?? 'en';
  }

  run<T>(botId: string, work: () => Promise<T>): Promise<T> {
    return this.db.run(botId, work);
  }
}
