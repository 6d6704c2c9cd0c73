import { Injectable } from '@nestjs/common';
import { OperatorAlert, OperatorAlertSender } from '@botfleet/operator';
import { HostedBotsRepository } from '@botfleet/platform';
import { Messenger, operatorAlertText } from '@botfleet/telegram';
import { credentialsOfRow } from '../bots/desired-bots.service';

/**
 * Sends an operator alert to one master admin through the master bot, in the master bot's language. Without
 * an active master bot there is no one to tell through: that is a failure, so the alert is tried again later.
 */
@Injectable()
export class MasterBotAlertSender implements OperatorAlertSender {
  constructor(
    private readonly bots: HostedBotsRepository,
    private readonly messenger: Messenger,
  ) {}

  async send(adminTelegramId: number, alert: OperatorAlert): Promise<void> {
    const master = await this.bots.getMaster();
    if (!master || master.status !== 'active') throw new Error('the master bot is not running');
    const text = operatorAlertText(master.defaultLanguage, alert);
    await this.messenger.as(credentialsOfRow(master)).sendMessage(adminTelegramId, text, { parse_mode: 'HTML' });
  }
}
