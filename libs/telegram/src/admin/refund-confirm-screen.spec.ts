import { WHOLESALE_REFUND_WINDOW_MS, wholesaleKeptOnRefund } from '@botfleet/payments';
import { checkTelegramHtml } from '@botfleet/testing';
import { CustomerCard, refundConfirmScreen } from './admin-screens';

const card: CustomerCard = {
  id: '0f1e2d3c-0000-4000-8000-000000000001',
  telegramId: 5001,
  name: 'Buyer',
  username: null,
  joinedAt: new Date('2026-01-01T00:00:00Z'),
  blocked: false,
  balanceMinor: 0,
  currency: 'IRR',
  referrer: null,
  subscriptions: [],
  orders: [],
};
const order: CustomerCard['orders'][number] = {
  id: '0f1e2d3c-0000-4000-8000-000000000002',
  createdAt: new Date('2026-01-02T00:00:00Z'),
  planName: { en: 'Month' },
  amountMinor: 50_000,
  status: 'fulfilled',
  refundable: true,
};

/** The bot's /admin refund confirmation tells the owner beforehand when the wholesale cost will not come back. */
describe('refundConfirmScreen and the wholesale refund window', () => {
  it.each([
    ['en', 'does not come back to your wallet'],
    ['fa', 'به کیف پول شما برنمی‌گردد'],
    ['ru', 'на ваш кошелёк не вернётся'],
  ] as const)('%s: past the window the confirmation says the wholesale charge stays', (lang, says) => {
    const shown = checkTelegramHtml(refundConfirmScreen(lang, card, order, 1_000).text);
    expect(shown).toContain(says);
    expect(shown).toContain(String(WHOLESALE_REFUND_WINDOW_MS / 3_600_000));
  });

  it('offers "to their wallet" only to a role that may move balance; "I paid it back" to every refunding role', () => {
    const buttons = (toWallet: boolean) =>
      (refundConfirmScreen('en', card, order, null, toWallet).keyboard ?? [])
        .flat()
        .map((b) => ('callback_data' in b ? b.callback_data : undefined));
    expect(buttons(true).some((d) => d?.endsWith(':w'))).toBe(true);
    expect(buttons(false).some((d) => d?.endsWith(':w'))).toBe(false);
    expect(buttons(false).some((d) => d?.endsWith(':o'))).toBe(true);
  });

  it('within the window nothing is added', () => {
    expect(refundConfirmScreen('en', card, order).text).not.toContain('wholesale charge (');
  });

  it('wholesaleKeptOnRefund: only past WHOLESALE_REFUND_WINDOW_MS of the payment, and only with a wholesale cost', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    const paid = (msAgo: number, wholesaleMinor = 1_000) => ({
      paidAt: new Date(now.getTime() - msAgo),
      createdAt: new Date(now.getTime() - msAgo),
      wholesaleMinor,
    });
    expect(WHOLESALE_REFUND_WINDOW_MS).toBe(48 * 60 * 60 * 1000);
    expect(wholesaleKeptOnRefund(paid(WHOLESALE_REFUND_WINDOW_MS - 1_000), now)).toBe(false);
    expect(wholesaleKeptOnRefund(paid(WHOLESALE_REFUND_WINDOW_MS + 1_000), now)).toBe(true);
    expect(wholesaleKeptOnRefund(paid(WHOLESALE_REFUND_WINDOW_MS + 1_000, 0), now)).toBe(false);
  });
});
