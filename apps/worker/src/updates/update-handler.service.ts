import { Injectable, Logger } from '@nestjs/common';
import type { Update } from 'telegraf/types';
import { describeError, isTransientError, telegramUpdatesHandled } from '@botfleet/common';
import { privateChatIdOf, serialKeyOf } from '@botfleet/bot-api';
import { AppConfig } from '@botfleet/config';
import { ProcessedUpdatesRepository } from '@botfleet/dal';
import {
  BotComposition,
  BotContext,
  BotProfileService,
  BotRuntime,
  Messenger,
  OutgoingCall,
  sleep,
  translate,
} from '@botfleet/telegram';
import { BotUsersService } from '@botfleet/users';
import { chunksByChat } from './chunks-by-chat';
import { KeyedSerialQueue } from './keyed-serial-queue';
import { Semaphore } from './semaphore';

export type UpdateOutcome = 'handled' | 'duplicate' | 'failed' | 'bot_gone';

/** Attempts for an update whose handler throws for a reason of its own (a bug, bad data). */
const HANDLER_ATTEMPTS = 3;
/** Updates per transaction in a batch: fewer round trips per update, yet no long line of handlers. */
const CHUNK = 8;
const noop = () => Promise.resolve();
/**
 * The Telegram bot an update came through: the runtime's (built for the bot's current token). Update ids are
 * numbered per Telegram bot, so claims are scoped to it and a bot row moved to another one loses nothing.
 */
const speakerOf = (bot: BotRuntime): number => bot.telegraf.botInfo!.id;

/**
 * Exactly once, in order (RELIABILITY.md 3), for polling and webhook updates alike.
 *
 * Order: `dispatch` runs the updates of one chat one after another (KeyedSerialQueue) and different
 * chats concurrently. The poller and the webhook processor both dispatch in arrival order.
 *
 * Once: the handler runs inside one tenant transaction that first inserts `(bot_id, telegram_bot_id,
 * update_id)` into processed_updates (ON CONFLICT DO NOTHING; the Telegram bot is the one that sent it,
 * `speakerOf`), in the transaction's first round trip, with `BEGIN` (`ProcessedUpdatesRepository.claimThen`).
 * The primary key is the fence: a second delivery, even a concurrent one from another
 * worker, blocks on that row until the first commits and then finds it and does nothing. The handler's
 * database effects commit in the same transaction, so they happen exactly once. Its Bot API calls are
 * queued on the context and made only after the commit (`Messenger.flush`).
 *
 * Crash windows, by where the process dies:
 *  - before the commit: the transaction rolls back, nothing was sent, the offset (polling) or the job
 *    (webhook) was not confirmed, so the update comes again and is handled normally;
 *  - between the commit and the end of the flush: the effects are kept, the redelivered update is a
 *    duplicate, so the unsent part of the answer is lost — never repeated. This window is the length of
 *    the sends (milliseconds; longer while a 429 is waited out). We chose "at most once" for messages
 *    because Telegram has no idempotency key for sends; a durable outbox would make lost answers
 *    recoverable at the cost of one more write per update, and can be added here without touching handlers;
 *  - after the flush, before the confirmation: a duplicate, skipped.
 *
 * Batches (polling): `handleBatch` takes what one getUpdates returned for a bot, cuts it into chunks of
 * about CHUNK updates (a chat's updates always whole, in order, in one chunk) and handles each chunk in
 * one transaction — one claim of all its update ids, the handlers one after another in update order, one
 * commit — chunks side by side. Each chat's answers then go on that chat's serial queue, so chats are
 * answered side by side and each chat in order. The first update of each sender in a chunk has its user
 * row created or refreshed for all of them in one statement sent with the claim (`senders`), so a chunk of
 * `/start`s costs two round trips (BEGIN with the tenant id, the claim and the users; COMMIT) instead of ~6 per
 * update one by one. Rows so read are as of the chunk's start, a serialisation as valid as any other
 * between different chats' updates; a sender's later updates in the chunk read their row themselves.
 * If a handler fails, its chunk rolls back as a whole and its updates go through `dispatch` one by
 * one, so one bad update cannot hold the others back and is retried alone. Call it outside any tenant
 * transaction (the poller does): each chunk opens its own.
 */
@Injectable()
export class UpdateHandler {
  private readonly logger = new Logger(UpdateHandler.name);
  private readonly serial = new KeyedSerialQueue();
  /** Update transactions at once: a little below the pool size, leaving room for other queries. */
  private readonly transactions: Semaphore;

  constructor(
    private readonly processed: ProcessedUpdatesRepository,
    private readonly profiles: BotProfileService,
    private readonly users: BotUsersService,
    private readonly messenger: Messenger,
    config: AppConfig,
  ) {
    this.transactions = new Semaphore(Math.max(1, config.DATABASE_POOL_SIZE - 2));
  }

  /** Handles the update after the earlier updates of its chat; resolves when it is handled. */
  dispatch(bot: BotRuntime, update: Update, signal?: AbortSignal): Promise<UpdateOutcome> {
    return this.serial.run(`${bot.botId}:${serialKeyOf(update)}`, () => this.handle(bot, update, signal));
  }

  /**
   * Handles the updates of one getUpdates answer for one bot (see the class comment). Resolves once they
   * are committed (their offset may be confirmed); `answered` resolves when their answers went out.
   * Throws only when `signal` aborts (the updates stay unconfirmed).
   */
  async handleBatch(bot: BotRuntime, updates: Update[], signal?: AbortSignal): Promise<{ answered: Promise<unknown> }> {
    const answered = await Promise.all(chunksByChat(updates, CHUNK).map((c) => this.handleChunk(bot, c, signal)));
    return { answered: Promise.all(answered) };
  }

  private async handleChunk(bot: BotRuntime, updates: Update[], signal?: AbortSignal): Promise<Promise<unknown>> {
    for (let attempt = 1; ; attempt++) {
      try {
        const done = await this.runBatch(bot, updates);
        if (!done) return Promise.resolve();
        telegramUpdatesHandled.inc({ outcome: 'handled' }, done.handled.length);
        if (done.duplicates) telegramUpdatesHandled.inc({ outcome: 'duplicate' }, done.duplicates);
        return Promise.all(
          done.handled
            .filter((h) => h.calls.length > 0)
            .map((h) =>
              this.serial.run(`${bot.botId}:${serialKeyOf(h.update)}`, () => this.messenger.flush(bot, h.calls)),
            ),
        );
      } catch (err) {
        if (signal?.aborted) throw err;
        if (isTransientError(err)) {
          const delay = Math.min(5_000, 100 * 2 ** Math.min(attempt, 6));
          this.logger.warn(`a batch of bot ${bot.botId} failed (retrying in ${delay} ms): ${describeError(err)}`);
          await sleep(delay, signal);
          continue;
        }
        this.logger.warn(`a batch of bot ${bot.botId} failed, handling its updates one by one: ${describeError(err)}`);
        await Promise.all(updates.map((u) => this.dispatch(bot, u, signal)));
        return Promise.resolve();
      }
    }
  }

  private async runBatch(
    bot: BotRuntime,
    updates: Update[],
  ): Promise<{ handled: { update: Update; calls: OutgoingCall[] }[]; duplicates: number } | null> {
    const profile = await this.profiles.get(bot.botId);
    if (!profile) return null;
    const contexts = updates.map((update) => {
      const c = new BotContext(update, bot.telegraf.telegram, bot.telegraf.botInfo!);
      c.botId = bot.botId;
      c.profile = profile;
      c.lang = profile.defaultLanguage;
      return c;
    });
    const senders = this.senders(bot, contexts);
    return this.transactions.use(() =>
      this.processed.claimThen(
        bot.botId,
        speakerOf(bot),
        updates.map((u) => u.update_id),
        async (claimed, senderRows) => {
          const users = senders?.touch.usersOf(senderRows);
          const mine: BotContext[] = [];
          for (const c of contexts) {
            if (!claimed.delete(c.update.update_id)) continue; // a duplicate (or the same id twice in the batch)
            if (users && senders?.first.has(c)) c.preparedUser = users.get(c.from!.id);
            mine.push(c);
          }
          const handled: { update: Update; calls: OutgoingCall[] }[] = [];
          const middleware = bot.telegraf.middleware();
          for (const c of mine) {
            await middleware(c, noop);
            handled.push({ update: c.update, calls: c.outbox.drain() });
          }
          return { handled, duplicates: updates.length - handled.length };
        },
        senders?.touch.sql,
      ),
    );
  }

  /**
   * The statement that creates or refreshes the sender of each sender's first update in the chunk — what the
   * composition's `identify` would do one update at a time — sent with the claim in the transaction's first
   * round trip, so a chunk costs two round trips (BEGIN with the tenant id, the claim and the users; COMMIT).
   * A sender's later updates in the chunk touch their row themselves, so they see what the earlier ones
   * changed (a language just chosen, say). A redelivered update's sender is left as it is (the statement writes only for updates it claimed).
   */
  private senders(
    bot: BotRuntime,
    contexts: BotContext[],
  ): { first: Set<BotContext>; touch: ReturnType<BotUsersService['touchManyStatement']> } | null {
    const first = new Map<
      number,
      { ctx: BotContext; input: NonNullable<ReturnType<typeof BotComposition.touchInputOf>> }
    >();
    for (const ctx of contexts) {
      const input = BotComposition.touchInputOf(ctx);
      if (input && !first.has(input.from.id)) first.set(input.from.id, { ctx, input });
    }
    if (!first.size) return null;
    const picked = [...first.values()];
    return {
      first: new Set(picked.map((f) => f.ctx)),
      touch: this.users.touchManyStatement(
        bot.botId,
        speakerOf(bot),
        picked.map((f) => ({ ...f.input, updateId: f.ctx.update.update_id })),
      ),
    };
  }

  /** Chats with updates queued or running in this process. */
  get busyChats(): number {
    return this.serial.activeKeys;
  }

  /**
   * Handles one update, retrying: infrastructure errors until they pass (or `signal` aborts, which
   * throws and leaves the update unconfirmed for whoever handles it next); a handler's own error a few
   * times, then the update is recorded as processed so it cannot block its chat forever, and the user
   * is told something went wrong.
   */
  async handle(bot: BotRuntime, update: Update, signal?: AbortSignal): Promise<UpdateOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await this.handleOnce(bot, update);
        telegramUpdatesHandled.inc({ outcome });
        return outcome;
      } catch (err) {
        if (signal?.aborted) throw err;
        const transient = isTransientError(err);
        if (transient || attempt < HANDLER_ATTEMPTS) {
          const delay = Math.min(5_000, 100 * 2 ** Math.min(attempt, 6));
          this.logger.warn(
            `update ${update.update_id} of bot ${bot.botId} failed (attempt ${attempt}, retrying in ${delay} ms): ${describeError(err)}`,
          );
          await sleep(delay, signal);
          continue;
        }
        this.logger.error(`update ${update.update_id} of bot ${bot.botId} failed for good: ${describeError(err)}`);
        await this.giveUp(bot, update);
        telegramUpdatesHandled.inc({ outcome: 'failed' });
        return 'failed';
      }
    }
  }

  private async handleOnce(bot: BotRuntime, update: Update): Promise<UpdateOutcome> {
    const profile = await this.profiles.get(bot.botId);
    if (!profile) return 'bot_gone';
    const ctx = await this.transactions.use(() =>
      this.processed.claimThen(bot.botId, speakerOf(bot), [update.update_id], async (claimed) => {
        if (!claimed.size) return null;
        const c = new BotContext(update, bot.telegraf.telegram, bot.telegraf.botInfo!);
        c.botId = bot.botId;
        c.profile = profile;
        c.lang = profile.defaultLanguage;
        await bot.telegraf.middleware()(c, noop);
        return c;
      }),
    );
    if (!ctx) return 'duplicate';
    await this.messenger.flush(bot, ctx.outbox.drain());
    return 'handled';
  }

  /** Records a poisoned update as processed and apologises in its private chat, once. */
  private async giveUp(bot: BotRuntime, update: Update): Promise<void> {
    const claimed = (await this.processed.claim(bot.botId, speakerOf(bot), [update.update_id])).size > 0;
    const chatId = privateChatIdOf(update);
    if (!claimed || chatId === undefined) return;
    const profile = await this.profiles.get(bot.botId).catch(() => null);
    const lang = profile?.defaultLanguage ?? 'en';
    await this.messenger.flush(bot, [
      { method: 'sendMessage', payload: { chat_id: chatId, text: translate(lang, 'common.error') } },
    ]);
  }
}
