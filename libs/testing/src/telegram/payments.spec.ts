import type { Message, Update } from './bot-api-types';
import { TelegramEmulator } from './telegram-emulator';

// Generous: these talk HTTP on a shared CI machine; they assert behaviour, not speed.
jest.setTimeout(30_000);

interface Answer<T> {
  status: number;
  body: { ok: boolean; result: T; description?: string };
}

const frank = { id: 5001, first_name: 'Frank' };
const starsInvoice = {
  chat_id: frank.id,
  title: '30 days VPN',
  description: 'Unlimited traffic for 30 days',
  payload: 'order:42',
  currency: 'XTR',
  prices: [{ label: '30 days', amount: 150 }],
};

describe('Telegram Stars payments', () => {
  let emulator: TelegramEmulator;
  let bot: { id: number; token: string };

  const call = async <T = boolean>(method: string, params: Record<string, unknown>): Promise<Answer<T>> => {
    const response = await fetch(`${emulator.url}/bot${bot.token}/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(params),
    });
    return { status: response.status, body: (await response.json()) as Answer<T>['body'] };
  };
  const nextUpdate = async (): Promise<Update> => {
    const [update] = (await call<Update[]>('getUpdates', { timeout: 5 })).body.result;
    await call('getUpdates', { offset: update.update_id + 1 });
    return update;
  };

  beforeAll(async () => {
    emulator = await TelegramEmulator.start({ preCheckoutTimeoutMs: 300 });
  });

  afterAll(async () => {
    await emulator.close();
  });

  beforeEach(() => {
    emulator.reset();
    bot = emulator.createBot();
  });

  it('sends a Stars invoice and validates it like Telegram', async () => {
    const sent = await call<Message>('sendInvoice', { ...starsInvoice, provider_token: '' });
    expect(sent.body.result.invoice).toEqual({
      title: '30 days VPN',
      description: 'Unlimited traffic for 30 days',
      start_parameter: '',
      currency: 'XTR',
      total_amount: 150,
    });
    expect(emulator.getInvoices(bot.id)).toEqual([
      expect.objectContaining({
        chatId: frank.id,
        messageId: sent.body.result.message_id,
        payload: 'order:42',
        totalAmount: 150,
      }),
    ]);
    const [stored] = emulator.getChatMessages(bot.id, frank.id);
    expect(stored.invoice?.payload).toBe('order:42');

    const twoPrices = await call('sendInvoice', {
      ...starsInvoice,
      prices: [...starsInvoice.prices, { label: 'tip', amount: 1 }],
    });
    expect(twoPrices.body.description).toBe('Bad Request: STARS_INVOICE_INVALID');
    expect((await call('sendInvoice', { ...starsInvoice, provider_token: 'stripe' })).body.description).toBe(
      'Bad Request: STARS_INVOICE_INVALID',
    );
    expect((await call('sendInvoice', { ...starsInvoice, prices: [{ label: 'x', amount: 0 }] })).body.description).toBe(
      'Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID',
    );
    expect((await call('sendInvoice', { ...starsInvoice, payload: 'p'.repeat(129) })).body.description).toBe(
      'Bad Request: INVOICE_PAYLOAD_INVALID',
    );
    const link = await call<string>('createInvoiceLink', { ...starsInvoice, subscription_period: 2_592_000 });
    expect(link.body.result).toMatch(/^https:\/\/t\.me\/\$/);
  });

  it('runs the checkout: pre_checkout_query, the answer, then successful_payment with a charge id', async () => {
    const invoice = (await call<Message>('sendInvoice', starsInvoice)).body.result;
    const paying = emulator.payInvoice(bot.id, { from: frank, invoiceMessageId: invoice.message_id });

    const preCheckout = (await nextUpdate()).pre_checkout_query!;
    expect(preCheckout).toMatchObject({
      from: { id: frank.id },
      currency: 'XTR',
      total_amount: 150,
      invoice_payload: 'order:42',
    });
    expect(
      (await call('answerPreCheckoutQuery', { pre_checkout_query_id: preCheckout.id, ok: true })).body.result,
    ).toBe(true);

    const result = await paying;
    expect(result.answer).toMatchObject({ ok: true, invoicePayload: 'order:42' });
    const paid = (await nextUpdate()).message!;
    expect(paid.successful_payment).toEqual({
      currency: 'XTR',
      total_amount: 150,
      invoice_payload: 'order:42',
      telegram_payment_charge_id: result.payment!.telegramPaymentChargeId,
      provider_payment_charge_id: '',
    });
    expect(emulator.getPayments(bot.id)).toEqual([
      expect.objectContaining({
        telegramPaymentChargeId: result.payment!.telegramPaymentChargeId,
        userId: frank.id,
        refunded: false,
      }),
    ]);
    expect((await call('answerPreCheckoutQuery', { pre_checkout_query_id: preCheckout.id, ok: true })).status).toBe(
      400,
    );
  });

  it('stops at a refused checkout, and rejects answers after the deadline', async () => {
    const refused = emulator.payInvoice(bot.id, { from: frank, totalAmount: 150, invoicePayload: 'order:43' });
    const query = (await nextUpdate()).pre_checkout_query!;
    expect(
      (await call('answerPreCheckoutQuery', { pre_checkout_query_id: query.id, ok: false })).body.description,
    ).toBe('Bad Request: ERROR_MESSAGE_EMPTY');
    await call('answerPreCheckoutQuery', { pre_checkout_query_id: query.id, ok: false, error_message: 'Sold out' });
    const result = await refused;
    expect(result.payment).toBeUndefined();
    expect(result.answer).toMatchObject({ ok: false, errorMessage: 'Sold out' });
    expect(emulator.getStats().updatesEnqueued).toBe(1);

    const late = emulator.sendPreCheckoutQuery(bot.id, { from: frank, totalAmount: 10, invoicePayload: 'order:44' });
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(
      (await call('answerPreCheckoutQuery', { pre_checkout_query_id: late.preCheckoutQueryId, ok: true })).body
        .description,
    ).toBe('Bad Request: query is too old and response timeout expired or query ID is invalid');
  });

  it('refunds a Stars charge once, and only to the user who paid', async () => {
    const { telegramPaymentChargeId } = emulator.sendSuccessfulPayment(bot.id, {
      from: frank,
      totalAmount: 150,
      invoicePayload: 'order:45',
    });
    const refund = { user_id: frank.id, telegram_payment_charge_id: telegramPaymentChargeId };
    expect((await call('refundStarPayment', { ...refund, user_id: 999 })).body.description).toBe(
      'Bad Request: USER_ID_INVALID',
    );
    expect((await call('refundStarPayment', refund)).body.result).toBe(true);
    expect((await call('refundStarPayment', refund)).body.description).toBe('Bad Request: CHARGE_ALREADY_REFUNDED');
    expect(
      (await call('refundStarPayment', { ...refund, telegram_payment_charge_id: 'stxnope' })).body.description,
    ).toBe('Bad Request: CHARGE_NOT_FOUND');
    expect(emulator.getRefunds(bot.id)).toEqual([
      expect.objectContaining({ telegramPaymentChargeId, userId: frank.id, totalAmount: 150, currency: 'XTR' }),
    ]);

    // The same charge delivered twice (a duplicate update) is still one payment.
    emulator.sendSuccessfulPayment(bot.id, {
      from: frank,
      totalAmount: 150,
      invoicePayload: 'order:45',
      telegramPaymentChargeId,
    });
    expect(emulator.getPayments(bot.id)).toHaveLength(1);
  });
});
