import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { TelegramError } from 'telegraf';
import { describeError } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { audienceOf, broadcastMessage, BroadcastRunsService, BroadcastsService } from '@botfleet/broadcasts';
import type { BotEntity, BroadcastEntity, DeliveryOutcome } from '@botfleet/dal';
import { JobName, JobPayloads, OnJob, OnJobFinalFailure } from '@botfleet/jobs';
import {
  BotSender,
  broadcastPreviewNote,
  broadcastProgressText,
  classifyTelegramError,
  credentialsOf,
  isNotModified,
  Messenger,
  RecipientGoneError,
} from '@botfleet/telegram';
import { OwnerNotifier } from '../bots/owner-notifier.service';
import { Semaphore } from '../updates/semaphore';
import { runSendWindow } from './send-window';

/** Why a preview whose uploaded picture Telegram did not keep as a photo failed (the draft shows it). */
export const PHOTO_NOT_KEPT =
  'Telegram did not keep the uploaded picture as a photo (its answer to sendPhoto carried none); choose another ' +
  'JPEG, PNG or WebP picture';

type SendJob = JobPayloads[JobName.SendBroadcast];
type PreviewJob = JobPayloads[JobName.BroadcastPreview];
type ReportJob = JobPayloads[JobName.ReportBroadcastEnd];

/** Network failures where the request never reached Telegram: a relay that met one certainly told nobody. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Whether a failed relay (one attempt, OwnerNotifier.relay) certainly did not reach the owner: Telegram refused it
 * with a 4xx (400, 403, 429…), the connection was never made (refused, no DNS), or it failed before any request
 * (no master bot read, its token not decrypted). A 5xx (a 502 or 504 may come after the message went out), a
 * timeout, a reset or any other socket error may have been delivered.
 */
function certainlyUntold(err: unknown): boolean {
  if (err instanceof TelegramError) return err.code >= 400 && err.code < 500;
  if (err instanceof RecipientGoneError) return true; // a 403: the owner blocked the master bot
  const f = classifyTelegramError(err);
  if (f.kind === 'network') return NOT_CONNECTED.has(f.code);
  return f.kind === 'unknown' && !isSocketError(err);
}

/** A Node socket or HTTP parser error (ECONNRESET, HPE_INVALID_CONSTANT, ERR_STREAM_PREMATURE_CLOSE…). */
function isSocketError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(E[A-Z]+|ERR_|HPE_|UND_ERR)/.test(code);
}

/** The Telegram call's failure as stored on a delivery: the description only (never a URL, never a token). */
function failureOf(err: unknown): string {
  const f = classifyTelegramError(err);
  switch (f.kind) {
    case 'bad_request':
    case 'forbidden':
    case 'conflict':
      return f.description.slice(0, 300);
    case 'server':
      return `Telegram answered ${f.status}`;
    case 'network':
      return `network: ${f.code}`;
    case 'rate_limited':
      return 'Telegram kept answering 429';
    default:
      return describeError(err).slice(0, 300);
  }
}

/**
 * Sends broadcasts. A preview goes to the admin first (BroadcastPreview). A running broadcast is sent in chunks
 * (SendBroadcast), one job after the other: each chunk leases a few pending deliveries at a time to its run and
 * sends them at `bulk` priority through the Messenger — so the bot's send budget keeps the broadcast under
 * Telegram's limit and below the bot's answers — a few at once in a sliding window (BROADCAST_SENDS_IN_FLIGHT,
 * runSendWindow). Each delivery is marked `sending` shortly before its own Telegram call and gets its outcome
 * in the next statement that marks more. A killed
 * worker's chunk runs again (BullMQ stalled job): the deliveries it had in flight (`sending`) are `interrupted`
 * — they may have arrived, and are never sent again — and the rest of its lease is sent by the next run. A
 * chain whose job was lost is re-queued by the sweep (BroadcastSweepHandler). A cancel is seen at the next
 * mark. Progress is posted once to the admin chat and then edited.
 */
@Injectable()
export class BroadcastSenderProcessor {
  private readonly logger = new Logger(BroadcastSenderProcessor.name);
  /** The database work of every broadcast in this process, a few statements at a time (see `send`). */
  private readonly bulkDb: Semaphore;

  constructor(
    private readonly runs: BroadcastRunsService,
    private readonly broadcasts: BroadcastsService,
    private readonly messenger: Messenger,
    private readonly config: AppConfig,
    private readonly owner: OwnerNotifier,
  ) {
    this.bulkDb = new Semaphore(config.BROADCAST_DB_CONCURRENCY);
  }

  @OnJob({ name: JobName.BroadcastPreview })
  async preview({ botId, broadcastId }: PreviewJob): Promise<void> {
    const b = await this.runs.find(botId, broadcastId);
    // A draft waiting for its picture is previewed by the upload's own job, with the picture.
    if (!b || b.status !== 'draft' || b.previewedAt || b.photoAwaited) return;
    const bot = await this.runs.bot(botId);
    if (!bot) return;
    // A bot that cannot speak (suspended, its token rejected) cannot preview: the draft says why instead of waiting.
    const mute = this.runs.cannotSend(bot);
    if (mute) return this.runs.previewFailed(botId, broadcastId, b.revision, mute);
    const target = b.previewTelegramId ?? bot.ownerTelegramId;
    const sender = this.messenger.as(credentialsOf(bot));
    const lang = bot.defaultLanguage;
    const audience = audienceOf(b.filter);
    const count = await this.broadcasts.audienceSize(botId, audience);
    const msg = broadcastMessage(b);
    const upload = b.photoUploadType ? await this.runs.photoUpload(botId, broadcastId, b.revision) : null;
    if (b.photoUploadType && !upload) return; // edited since: that revision's own job previews it
    try {
      if (upload) {
        // A picture picked in the console reaches Telegram with its preview: the file_id Telegram gives it back
        // is what every delivery sends, and the bytes are dropped.
        const extra = { ...broadcastMessage({ ...b, photo: upload.contentType }).payload };
        delete extra.photo;
        const sent = await sender.sendPhoto(
          target,
          { source: upload.data, filename: `broadcast.${upload.contentType.slice('image/'.length)}` },
          extra,
        );
        // The Bot API types promise a photo, but Telegram may keep an upload as something else (a document, an
        // animation): no file_id to send then, and the draft must not wait for one in silence.
        const photo = (sent as { photo?: readonly { file_id: string }[] }).photo;
        const fileId = photo?.[photo.length - 1]?.file_id;
        if (!fileId) {
          await this.runs.previewFailed(botId, broadcastId, b.revision, PHOTO_NOT_KEPT);
          return;
        }
        if (!(await this.runs.photoUploaded(botId, broadcastId, b.revision, fileId))) return;
      } else {
        await sender.call(msg.method, { ...msg.payload, chat_id: target } as never);
      }
      const note = broadcastPreviewNote(lang, b, audience, count);
      await sender.sendMessage(target, note, { parse_mode: 'HTML' });
    } catch (err) {
      const f = classifyTelegramError(err);
      if (err instanceof RecipientGoneError || f.kind === 'bad_request' || f.kind === 'forbidden') {
        // The admin blocked the bot, the photo is refused…: a retry cannot help; the tenant sees why.
        await this.runs.previewFailed(botId, broadcastId, b.revision, failureOf(err));
        return;
      }
      throw err;
    }
    await this.runs.previewed(botId, broadcastId, b.revision);
  }

  @OnJobFinalFailure({ name: JobName.BroadcastPreview })
  async previewFailed({ botId, broadcastId }: PreviewJob, error: Error): Promise<void> {
    const b = await this.runs.find(botId, broadcastId);
    if (b) await this.runs.previewFailed(botId, broadcastId, b.revision, describeError(error));
  }

  @OnJob({ name: JobName.SendBroadcast })
  async send({ botId, broadcastId, chunk }: SendJob): Promise<void> {
    const b = await this.runs.find(botId, broadcastId);
    if (!b) return;
    const bot = await this.runs.bot(botId);
    if (b.status !== 'running') {
      if (bot) await this.postProgress(bot, b, true);
      return;
    }
    const mute = this.runs.cannotSend(bot);
    if (!bot || mute) {
      await this.runs.fail(botId, broadcastId, mute ?? 'the bot is gone');
      if (bot) await this.postProgress(bot, (await this.runs.find(botId, broadcastId)) ?? b, true);
      return;
    }
    const claimId = randomUUID();
    const leaseMs = Math.floor(this.config.BROADCAST_LOCK_MS / 2);
    await this.runs.interruptStale(botId, broadcastId, leaseMs, claimId);
    if (chunk === 0) {
      await this.postProgress(bot, b, false);
      // Statistics that know this broadcast, or its steps scan all its deliveries; a failure only costs speed. On one
      // of the broadcasts' connections, like the steps, so starts never hold the bots' pool.
      await this.bulkDb.use(() => this.runs.prepareSteps(botId, b)).catch((err: unknown) => {
        this.logger.warn({ botId, broadcastId, err: describeError(err) }, 'broadcast statistics not refreshed');
      });
    }

    const sender = this.messenger.as(credentialsOf(bot), 'bulk');
    const msg = broadcastMessage(b);
    let progressSeenAt = chunk === 0 ? Date.now() : (b.progressPostedAt?.getTime() ?? 0);
    // A sliding window of BROADCAST_SENDS_IN_FLIGHT sends, so the pace is the budget's and not one round trip's
    // (each send still waits its turn), with the database work — leases, outcomes, the marks ahead of the sends —
    // beside it (see runSendWindow). That database work takes one of a few connections kept for broadcasts
    // (BROADCAST_DB_CONCURRENCY), so 50 bots broadcasting never make the bots' answers wait for the pool.
    const { leased, stoppedBy, notSent } = await runSendWindow(
      {
        step: (done, next, lease) =>
          this.bulkDb.use(() =>
            this.runs.stepAndLease(botId, broadcastId, claimId, done, next, lease && { ...lease, leaseMs }),
          ),
        deliver: (d) => this.deliver(sender, msg, d.userId, d.telegramId),
        stops: (o) => this.runs.stopReason(o) !== null,
        // Looked at (a database read) only once it may be due: every step would double the chunk's queries.
        tick: async () => {
          if (Date.now() - progressSeenAt < this.config.BROADCAST_PROGRESS_EVERY_MS) return;
          progressSeenAt = Date.now();
          await this.postProgress(bot, b, false);
        },
      },
      {
        inFlight: this.config.BROADCAST_SENDS_IN_FLIGHT,
        leaseBatch: this.config.BROADCAST_CLAIM_BATCH,
        limit: this.config.BROADCAST_CHUNK,
      },
    );
    // A 401 is known only once its send is back, by when the next few are already marked `sending`: they were
    // never sent, and the stop gives them back, so they end skipped (not unknown) with the rest of the lease.
    const stop = stoppedBy && this.runs.stopReason(stoppedBy);
    if (stop) await this.runs.stop(botId, broadcastId, claimId, notSent, stop);
    await this.next(bot, broadcastId, chunk, leased);
  }

  @OnJobFinalFailure({ name: JobName.SendBroadcast })
  async sendFailed({ botId, broadcastId }: SendJob, error: Error): Promise<void> {
    // Ends it: what is pending is skipped, and the bot's next broadcast is not held up by this one.
    await this.runs.fail(botId, broadcastId, `sending failed: ${describeError(error)}`);
    const [bot, b] = await Promise.all([this.runs.bot(botId), this.runs.find(botId, broadcastId)]);
    if (bot && b) await this.postProgress(bot, b, true);
  }

  /** One delivery: sent, blocked (the user is marked by the Messenger's rule) or failed with Telegram's reason. */
  private async deliver(
    sender: BotSender,
    msg: ReturnType<typeof broadcastMessage>,
    userId: string,
    chatId: number,
  ): Promise<DeliveryOutcome> {
    try {
      await sender.call(msg.method, { ...msg.payload, chat_id: chatId } as never);
      return { userId, status: 'sent' };
    } catch (err) {
      if (err instanceof RecipientGoneError) return { userId, status: 'blocked' };
      if (classifyTelegramError(err).kind === 'unauthorized') return this.runs.tokenRejected(userId);
      return { userId, status: 'failed', error: failureOf(err) };
    }
  }

  /** After a chunk: the end told, or the next chunk queued (BroadcastRunsService.afterChunk). */
  private async next(bot: BotEntity, broadcastId: string, chunk: number, handled: number): Promise<void> {
    const ended = await this.runs.afterChunk(bot.id, broadcastId, chunk, handled);
    if (ended) await this.postProgress(bot, ended, true);
  }

  /**
   * Posts the progress to the admin chat once, then edits that message (at most every
   * BROADCAST_PROGRESS_EVERY_MS while running; always at the end). Never fails the broadcast.
   */
  private async postProgress(bot: BotEntity, b: BroadcastEntity, final: boolean): Promise<void> {
    let text: string | undefined;
    try {
      const fresh = (await this.runs.find(bot.id, b.id)) ?? b;
      const due =
        final ||
        !fresh.progressPostedAt ||
        Date.now() - fresh.progressPostedAt.getTime() >= this.config.BROADCAST_PROGRESS_EVERY_MS;
      if (!due) return;
      await this.runs.refreshCounters(bot.id, b.id);
      const { progress } = await this.broadcasts.get(bot.id, b.id);
      text = broadcastProgressText(bot.defaultLanguage, fresh, progress);
      const sender = this.messenger.as(credentialsOf(bot));
      if (fresh.progressChatId && fresh.progressMessageId) {
        try {
          await sender.call('editMessageText', {
            chat_id: fresh.progressChatId,
            message_id: fresh.progressMessageId,
            text,
            parse_mode: 'HTML',
          });
        } catch (err) {
          const f = classifyTelegramError(err);
          if (!(f.kind === 'bad_request' && isNotModified(f.description))) throw err;
        }
        await this.runs.progressPosted(bot.id, b.id);
        return;
      }
      const target = await this.runs.progressTarget(bot.id, fresh);
      if (!target) return;
      const sent = await sender.sendMessage(target.chatId, text, {
        parse_mode: 'HTML',
        ...(target.threadId ? { message_thread_id: target.threadId } : {}),
      });
      await this.runs.progressPosted(bot.id, b.id, { ...target, messageId: sent.message_id });
    } catch (err) {
      // A bot whose token Telegram rejects cannot tell its admins how the broadcast ended: its owner hears it,
      // once — every run that ends the broadcast (a twin of the last chunk, a stalled job run again) gets here,
      // and queues the one ReportBroadcastEnd job of the broadcast.
      const untold = final && text && classifyTelegramError(err).kind === 'unauthorized';
      if (
        untold &&
        (await this.runs.queueEndReport(bot.id, b.id).then(
          () => true,
          () => false,
        ))
      )
        return;
      this.logger.warn({ botId: bot.id, broadcastId: b.id, err: describeError(err) }, 'broadcast progress not posted');
    }
  }

  /**
   * How the broadcast ended, told to the bot's owner through the master bot (ReportBroadcastEnd, queued when the bot
   * could not post it itself). Told at most once: the telling is recorded before the relay (takeEndReport), so a
   * relay however slow (its client waits out 429s) never lets another attempt send it again, where a lease the relay
   * could outlive did. The relay makes one attempt: a 5xx or a lost answer is not sent again by its client. A relay
   * that certainly did not reach the owner (Telegram refused it with a 4xx, the connection was never made, no master
   * bot) is recorded untold again and this job fails, so its retry (the notification queue's backoff, hours) tells
   * it; one that may have arrived (a 5xx, a timeout, a reset) is not repeated. A worker that dies during the relay
   * leaves it told — possibly never seen: at most once, as for every Telegram send.
   */
  @OnJob({ name: JobName.ReportBroadcastEnd })
  async reportEnd({ botId, broadcastId }: ReportJob): Promise<void> {
    const [bot, b] = await Promise.all([this.runs.bot(botId), this.runs.find(botId, broadcastId)]);
    if (!bot || !b || !['completed', 'cancelled', 'failed'].includes(b.status)) return;
    await this.runs.refreshCounters(botId, broadcastId);
    const { progress } = await this.broadcasts.get(botId, broadcastId);
    const text = broadcastProgressText(bot.defaultLanguage, b, progress);
    // A claim left between its take and its record this long belonged to an attempt that died there.
    const taken = await this.runs.takeEndReport(botId, broadcastId, Math.floor(this.config.BROADCAST_LOCK_MS / 2));
    if (taken === 'told') return;
    if (taken === 'busy') throw new Error(`the end of broadcast ${broadcastId} is being told by another attempt`);
    let told: boolean;
    try {
      told = await this.owner.relay(bot, text);
    } catch (err) {
      if (!certainlyUntold(err)) {
        this.logger.warn(
          { botId, broadcastId, err: describeError(err) },
          'the end of a broadcast may or may not have reached the owner; not repeated',
        );
        return;
      }
      told = false;
    }
    if (told) return;
    await this.runs.endReportFailed(botId, taken);
    throw new Error(`the end of broadcast ${broadcastId} did not reach the bot's owner`);
  }

  @OnJobFinalFailure({ name: JobName.ReportBroadcastEnd })
  reportEndGaveUp({ botId, broadcastId }: ReportJob, error: Error): Promise<void> {
    this.logger.warn(
      { botId, broadcastId, err: describeError(error) },
      "the end of a broadcast never reached the bot's owner",
    );
    return Promise.resolve();
  }
}
