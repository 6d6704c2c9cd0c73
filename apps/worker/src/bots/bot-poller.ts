import { Logger } from '@nestjs/common';
import type { Update } from 'telegraf/types';
import { scrubSecrets } from '@botfleet/common';
import { BotRuntime, classifyTelegramError, sleep } from '@botfleet/telegram';
import { UpdateHandler } from '../updates/update-handler.service';

export interface BotPollerOptions {
  /** getUpdates long-poll timeout (seconds). */
  timeoutS: number;
  /** False once this worker can no longer be sure it holds the bot's lease: the loop stops at once. */
  leaseValid(): boolean;
  /** Telegram answered 409: someone else polls this token (or a webhook is set). */
  onConflict(): void;
  /** Answers still being sent before the poller waits (memory bound while Telegram is slow or limits us). */
  maxUnanswered?: number;
}

/**
 * Our own getUpdates loop for one bot (instead of `bot.launch()`), so that leases, offsets and faults are
 * under our control:
 *  - it polls only while the lease is valid, and stops at once (aborting the pending long poll, which
 *    frees Telegram's slot) when the lease is lost or the bot stops;
 *  - each answer of getUpdates goes to the exactly-once pipeline as one batch (one transaction); the
 *    next offset, which confirms the batch to Telegram, is asked for only after the batch committed, so a
 *    crash loses nothing: unconfirmed updates come back to whoever polls next and processed_updates skips
 *    those already handled. The answers are sent while the next batch is already being fetched;
 *  - 409 means the lease is lost; 401 is reported by the client's hooks; 429 waits retry_after (client);
 *    5xx and network errors back off.
 */
export class BotPoller {
  private readonly logger = new Logger('BotPoller');
  private readonly abort = new AbortController();
  /** One past the highest update id committed here; 0 = let Telegram start with what it has. */
  private offset = 0;
  private loop: Promise<void> | undefined;
  private readonly answering = new Set<Promise<unknown>>();

  constructor(
    private readonly bot: BotRuntime,
    private readonly handler: UpdateHandler,
    private readonly opts: BotPollerOptions,
  ) {}

  start(): void {
    this.loop ??= this.run().catch((err: unknown) =>
      this.logger.error(`poller of bot ${this.bot.botId} crashed: ${describe(err)}`),
    );
  }

  /**
   * Stops polling now and waits (at most `graceMs`) for the batch being handled and the answers being sent.
   * With `confirm`, and only while the lease is still ours, tells Telegram what was handled so the next
   * poller starts after it.
   */
  async stop(graceMs: number, confirm = false): Promise<void> {
    this.abort.abort();
    await Promise.race([this.loop, sleep(graceMs).catch(() => undefined)]);
    if (this.answering.size) {
      await Promise.race([Promise.allSettled([...this.answering]), sleep(graceMs).catch(() => undefined)]);
    }
    if (confirm && this.offset > 0 && this.opts.leaseValid()) {
      await this.bot.telegraf.telegram
        .callApi('getUpdates', { offset: this.offset, limit: 1, timeout: 0 })
        .catch(() => undefined);
    }
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const maxUnanswered = this.opts.maxUnanswered ?? 1_000;
    let failures = 0;
    while (!signal.aborted) {
      if (!this.opts.leaseValid()) return;
      if (this.answering.size >= maxUnanswered) {
        await Promise.race([...this.answering]);
        continue;
      }
      let updates: Update[];
      try {
        updates = await this.bot.telegraf.telegram.callApi(
          'getUpdates',
          { offset: this.offset, limit: 100, timeout: this.opts.timeoutS },
          { signal: signal as never },
        );
        failures = 0;
      } catch (err) {
        if (signal.aborted) return;
        const f = classifyTelegramError(err);
        if (f.kind === 'conflict') {
          this.opts.onConflict();
          return;
        }
        if (f.kind === 'unauthorized') return; // the client's hook stops the bot and marks the token
        failures++;
        const delay = Math.min(10_000, 250 * 2 ** Math.min(failures, 6));
        this.logger.warn(`getUpdates of bot ${this.bot.botId} failed (${f.kind}), retrying in ${delay} ms`);
        await sleep(delay, signal).catch(() => undefined);
        continue;
      }
      if (!updates.length) continue;
      try {
        const { answered } = await this.handler.handleBatch(this.bot, updates, signal);
        const tracked = answered.catch(() => undefined).finally(() => this.answering.delete(tracked));
        this.answering.add(tracked);
      } catch (err) {
        if (signal.aborted) return;
        // Not committed: the same updates come back with the next getUpdates.
        this.logger.error(`a batch of bot ${this.bot.botId} failed: ${describe(err)}`);
        await sleep(1_000, signal).catch(() => undefined);
        continue;
      }
      for (const u of updates) if (u.update_id >= this.offset) this.offset = u.update_id + 1;
    }
  }
}

function describe(err: unknown): string {
  return scrubSecrets(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
}
