import { Injectable } from '@nestjs/common';
import type { Language } from '@botfleet/catalog';
import { isUuid } from '@botfleet/common';
import type { CardPaymentEntity } from '@botfleet/dal';
import { WalletQueries } from '@botfleet/payments';
import type { Screen } from '../context/bot-context';
import { translate } from '../i18n/translate';
import { payOrderQuestion, topUpCreditedScreen } from './wallet-screens';

/**
 * The user's news about a card top-up, for the sale's notifications (the review is the sale's): credited with the
 * new balance — and, when it was started for an order that can still be paid, the question whether to pay it from
 * the wallet now (a button; never paid silently) — or expired. A gateway top-up's notice (payments/) asks the same.
 */
@Injectable()
export class TopUpNotices {
  constructor(private readonly wallet: WalletQueries) {}

  async credited(botId: string, payment: CardPaymentEntity, currency: string, lang: Language): Promise<Screen> {
    const [balance, toPay] = await Promise.all([
      this.wallet.balance(botId, payment.userId),
      payment.forOrderId ? this.wallet.orderToPayAfterTopUp(botId, payment.userId, payment.forOrderId) : null,
    ]);
    return topUpCreditedScreen(lang, payment, balance ?? 0, currency, toPay);
  }

  /**
   * For a gateway top-up started for an order (its `forOrderId`): the question whether to pay the order from the
   * wallet now, when it can still be paid; null otherwise.
   */
  async askToPay(botId: string, userId: string, forOrderId: unknown, lang: Language): Promise<Screen | null> {
    if (typeof forOrderId !== 'string' || !isUuid(forOrderId)) return null;
    const toPay = await this.wallet.orderToPayAfterTopUp(botId, userId, forOrderId);
    return toPay ? payOrderQuestion(lang, toPay) : null;
  }

  expired(payment: CardPaymentEntity, lang: Language): string {
    return translate(lang, 'wallet.expired', { tracking: payment.trackingNumber });
  }
}
