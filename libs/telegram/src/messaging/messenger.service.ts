import { Injectable, Logger } from '@nestjs/common';
import { describeError } from '@botfleet/common';
import { BotUsersService } from '@botfleet/users';
import { classifyTelegramError, isNotModified } from '../client/telegram-errors';
import type { OutgoingCall } from '../context/outbox';
import { BotCredentials, BotRuntime } from '../runtime/bot-runtime';
import { BotRuntimes } from '../runtime/bot-runtimes.service';
import { BotSender } from './bot-sender';
import type { SendPriority } from '../budget/send-budget';
import { ResilientTelegram, type RetryPolicy } from '../client/resilient-telegram';
import { RecipientGoneError } from './recipient-gone';

/**
 * Every message a bot sends goes through here: the answers of updates (the pipeline's flush), sale
 * notifications, subscription deliveries and owner alerts. The client is the bot's runtime (BotRuntimes:
 * the token decrypted in one place, the 401 hook on it), and one rule decides that a user blocked the bot
 * (`isRecipientGone`): that user is marked (`users.bot_blocked_at`) whichever send found out.
 */
@Injectable()
export class Messenger {
  private readonly logger = new Logger(Messenger.name);

  constructor(
    private readonly runtimes: BotRuntimes,
    private readonly users: BotUsersService,
  ) {}

  /**
   * Speaks as `bot`: its runtime in this process (built on first need; throws if the token cannot be decrypted).
   * Every message waits its turn in the bot's send budget; `bulk` (a broadcast) only takes what answers leave.
   * `retries` overrides the client's retry policy for this sender (`{ maxAttempts: 1 }`: a 5xx or a network error
   * is not sent again, for a message that must reach its chat at most once).
   */
  as(
    bot: BotCredentials | BotRuntime,
    priority: SendPriority = 'interactive',
    retries?: Partial<RetryPolicy>,
  ): BotSender {
    const runtime = 'telegraf' in bot ? bot : this.runtimes.for(bot);
    const client = runtime.telegraf.telegram;
    const resilient = client instanceof ResilientTelegram ? client.withPriority(priority) : undefined;
    const telegram = resilient && retries ? resilient.withRetries(retries) : (resilient ?? client);
    return new BotSender(runtime.botId, telegram, (chatId) => this.markGone(runtime.botId, chatId));
  }

  /**
   * Makes an update's queued calls in order, after its transaction committed. A user who blocked the bot is
   * marked and gets nothing more; a chat that refuses the bot (403) gets none of the remaining calls either
   * (they would fail the same way); "message is not modified" is harmless; anything else is logged — the
   * update itself stays handled. A rejected token (401) ends the flush: the runtime's hook reports it.
   */
  async flush(runtime: BotRuntime, calls: OutgoingCall[]): Promise<void> {
    const sender = this.as(runtime);
    const refused = new Set<number | string>();
    for (const call of calls) {
      const chatId = call.payload.chat_id as number | string | undefined;
      if (chatId !== undefined && refused.has(chatId)) continue;
      try {
        await sender.call(call.method, call.payload as never);
      } catch (err) {
        if (err instanceof RecipientGoneError) {
          refused.add(err.chatId);
          continue;
        }
        const f = classifyTelegramError(err);
        if (f.kind === 'unauthorized') return;
        if (f.kind === 'forbidden' && chatId !== undefined) {
          refused.add(chatId);
          continue;
        }
        if (f.kind === 'bad_request' && isNotModified(f.description)) continue;
        this.logger.warn(`bot ${runtime.botId}: ${call.method} failed: ${describeError(err)}`);
      }
    }
  }

  private async markGone(botId: string, chatId: number): Promise<void> {
    await this.users
      .markBotBlocked(botId, chatId)
      .catch((e: unknown) => this.logger.warn(`could not mark a user of bot ${botId}: ${describeError(e)}`));
  }
}
