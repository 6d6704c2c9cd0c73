import { Injectable, Logger } from '@nestjs/common';
import type { InlineKeyboardButton } from 'telegraf/types';
import { consoleUrl } from '@botfleet/bots';
import { AppConfig } from '@botfleet/config';
import { HostedBotRow, HostedBotsRepository } from '@botfleet/platform';
import { Messenger, ownerSettingsButton, RetryPolicy, translate } from '@botfleet/telegram';
import { credentialsOfRow } from './desired-bots.service';

/** A send the client makes once: no retry of a 5xx or a network error, which may have been delivered. */
const ONE_ATTEMPT: Partial<RetryPolicy> = { maxAttempts: 1 };

/**
 * Tells a bot's owner about trouble with their bot, through the master bot when there is one
 * (RELIABILITY.md 11). The API shows the same through the bot's status.
 */
@Injectable()
export class OwnerNotifier {
  private readonly logger = new Logger(OwnerNotifier.name);

  constructor(
    private readonly repo: HostedBotsRepository,
    private readonly messenger: Messenger,
    private readonly config: AppConfig,
  ) {}

  /**
   * The owner is sent to the console's Settings page, where the new token from @BotFather is pasted (the REST
   * route stays in the text for developers). The dead bot cannot give them a sign-in link, so the notice's
   * "Open Settings" button asks the master bot for one (OwnerSettingsLinkHandler).
   */
  async tokenInvalid(bot: HostedBotRow): Promise<boolean> {
    const text = translate(bot.defaultLanguage, 'owner.tokenInvalid', {
      bot: `@${bot.telegramUsername}`,
      id: bot.id,
      url: this.settingsUrl(bot.id),
    });
    const told = await this.viaMaster(bot, text, [[ownerSettingsButton(bot.defaultLanguage, bot.id)]]);
    if (told) this.logger.log(`told the owner of bot ${bot.id} that its token is invalid`);
    return told;
  }

  /**
   * The operator brought the owner's deleted bot back, paused: the owner resumes it and issues a new API token on
   * the console's Settings page (its console sessions ended, so they sign in again). Said by the master bot, as the
   * restored bot does not run while paused, with the same "Open Settings" button as the revoked-token notice (a
   * one-time sign-in link: the paused bot cannot give one and the API token is revoked). Nothing when the bot is
   * gone again or missing.
   */
  async restored(botId: string): Promise<boolean> {
    const bot = await this.repo.get(botId);
    if (!bot || bot.status === 'deleted') return false;
    const text = translate(bot.defaultLanguage, 'owner.restored', {
      bot: `@${bot.telegramUsername}`,
      url: this.settingsUrl(bot.id),
    });
    const told = await this.viaMaster(bot, text, [[ownerSettingsButton(bot.defaultLanguage, bot.id)]]);
    if (told) this.logger.log(`told the owner of bot ${bot.id} that it was restored`);
    return told;
  }

  /**
   * What a bot could not say to its admins itself (Telegram rejects its token), said to its owner through the
   * master bot under the bot's name. `html` is a message of the bot's own, in the bot's HTML subset. One attempt:
   * a 5xx or a lost answer may have been delivered, so the client does not send it again (429s are waited out,
   * Telegram sent nothing then); the caller decides from the error whether it certainly did not arrive.
   */
  async relay(
    bot: Pick<HostedBotRow, 'id' | 'isMaster' | 'telegramUsername' | 'ownerTelegramId'>,
    html: string,
  ): Promise<boolean> {
    const told = await this.viaMaster(bot, `@${bot.telegramUsername}\n${html}`, undefined, ONE_ATTEMPT);
    if (told) this.logger.log(`told the owner of bot ${bot.id} what the bot could not tell its admins`);
    return told;
  }

  /** The console's Settings page of the bot, under PUBLIC_BASE_URL (where the sign-in links point too). */
  private settingsUrl(botId: string): string {
    return consoleUrl(this.config.PUBLIC_BASE_URL, `/bots/${botId}/settings`);
  }

  /** Sends `html` to the bot's owner as the master bot; false when there is none to speak (or it is the master). */
  private async viaMaster(
    bot: Pick<HostedBotRow, 'isMaster' | 'ownerTelegramId'>,
    html: string,
    keyboard?: InlineKeyboardButton[][],
    retries?: Partial<RetryPolicy>,
  ): Promise<boolean> {
    if (bot.isMaster) return false; // the master bot cannot speak for itself with a dead token
    const master = await this.repo.getMaster();
    if (!master || master.status !== 'active') return false;
    const credentials = credentialsOfRow(master);
    const sender = retries ? this.messenger.as(credentials, 'interactive', retries) : this.messenger.as(credentials);
    await sender.sendMessage(bot.ownerTelegramId, html, {
      parse_mode: 'HTML',
      ...(keyboard ? { reply_markup: { inline_keyboard: keyboard } } : {}),
    });
    return true;
  }
}
