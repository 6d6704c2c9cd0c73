import { Injectable } from '@nestjs/common';
import { Telegraf } from 'telegraf';
import { AppConfig } from '@botfleet/config';
import { BotComposition } from '../composition/bot-composition.service';
import { BotContext } from '../context/bot-context';
import { createHostedBot, HostedBotIdentity } from './bot-factory';
import { TelegramHooks } from './resilient-telegram';

/** A running tenant bot: our id and its Telegraf instance (token inside, the shared composition attached). */
export interface HostedBot {
  readonly botId: string;
  readonly telegraf: Telegraf<BotContext>;
}

/** Builds hosted bots against TELEGRAM_API_ROOT, all sharing the one handler composition. */
@Injectable()
export class HostedBotFactory {
  constructor(
    private readonly composition: BotComposition,
    private readonly config: AppConfig,
  ) {}

  create(token: string, identity: HostedBotIdentity, hooks: TelegramHooks = {}): HostedBot {
    const telegraf = createHostedBot(token, identity, { apiRoot: this.config.TELEGRAM_API_ROOT, hooks });
    telegraf.use(this.composition.composer);
    return { botId: identity.botId, telegraf };
  }
}
