import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@botfleet/config';
import { SecretBox } from '@botfleet/secrets';
import { ResilientTelegram, translate } from '@botfleet/telegram';
import { HostedBotRow, HostedBotsRepository } from '@botfleet/platform';

/**
 * Tells a bot's owner about trouble with their bot, through the master bot when there is one
 * (RELIABILITY.md 11). The API shows the same through the bot's status.
 */
@Injectable()
export class OwnerNotifier {
  private readonly logger = new Logger(OwnerNotifier.name);

  constructor(
    private readonly repo: HostedBotsRepository,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
  ) {}

  async tokenInvalid(bot: HostedBotRow): Promise<boolean> {
    if (bot.isMaster) return false; // the master bot cannot speak with a dead token
    const master = await this.repo.getMaster();
    if (!master || master.status !== 'active') return false;
    const telegram = new ResilientTelegram(this.box.decrypt(master.tokenCiphertext, master.id), {
      apiRoot: this.config.TELEGRAM_API_ROOT,
      webhookReply: false,
    });
    const text = translate(bot.defaultLanguage, 'owner.tokenInvalid', { bot: `@${bot.telegramUsername}`, id: bot.id });
    await telegram.sendMessage(bot.ownerTelegramId, text, { parse_mode: 'HTML' });
    this.logger.log(`told the owner of bot ${bot.id} that its token is invalid`);
    return true;
  }
}
