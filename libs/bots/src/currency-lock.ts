import { DomainError, ErrorCode } from '@botfleet/common';
import { BotSelfRepository } from '@botfleet/dal';

/**
 * The bot's currency is fixed once an amount is written in it (an order, a user's balance or ledger row, the
 * wholesale wallet): changing it would change what those amounts mean. Call inside the tenant transaction
 * that writes the currency; the bot row is locked here (FOR NO KEY UPDATE, as creating an order and every
 * wallet move do), so no sale or top-up starts between this check and the commit. Not changing it is fine.
 */
export async function assertCurrencyMayChange(self: BotSelfRepository, botId: string, next: string): Promise<void> {
  const bot = await self.get(botId, 'pessimistic_write');
  if (!bot || bot.currency === next) return;
  if (await self.holdsMoney(botId)) {
    throw new DomainError(
      ErrorCode.CURRENCY_LOCKED,
      `The currency stays ${bot.currency}: the bot already has orders or balances in it`,
      { currency: bot.currency },
    );
  }
}
