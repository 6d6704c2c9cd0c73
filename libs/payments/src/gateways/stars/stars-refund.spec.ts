import { TelegramBotApi } from '@botfleet/bot-api';
import { ErrorCode } from '@botfleet/common';
import { TelegramEmulator } from '@botfleet/testing';

jest.setTimeout(30_000);

/** refundStarPayment over HTTP against the Telegram emulator, and the emulator's refunded_payment update. */
describe('Stars refunds: TelegramBotApi.refundStarPayment and refunded_payment', () => {
  let emulator: TelegramEmulator;
  let api: TelegramBotApi;
  const buyer = { id: 6001, first_name: 'Buyer' };

  beforeAll(async () => {
    emulator = await TelegramEmulator.start();
    api = new TelegramBotApi(emulator.url);
  });
  afterAll(() => emulator.close());

  const paidCharge = (botId: number) =>
    emulator.sendSuccessfulPayment(botId, {
      from: buyer,
      currency: 'XTR',
      totalAmount: 50,
      invoicePayload: 'stars:x',
    }).telegramPaymentChargeId;

  it('refunds once; a second refund of the same charge is "already_refunded", not an error', async () => {
    const bot = emulator.createBot();
    const charge = paidCharge(bot.id);
    await expect(api.refundStarPayment(bot.token, buyer.id, charge)).resolves.toBe('refunded');
    await expect(api.refundStarPayment(bot.token, buyer.id, charge)).resolves.toBe('already_refunded');
    expect(emulator.getRefunds(bot.id)).toHaveLength(1);
  });

  it('an unknown charge or another user is CONFLICT (nothing refunded)', async () => {
    const bot = emulator.createBot();
    const charge = paidCharge(bot.id);
    await expect(api.refundStarPayment(bot.token, buyer.id, 'stxnope')).rejects.toMatchObject({
      code: ErrorCode.CONFLICT,
    });
    await expect(api.refundStarPayment(bot.token, buyer.id + 1, charge)).rejects.toMatchObject({
      code: ErrorCode.CONFLICT,
    });
    expect(emulator.getRefunds(bot.id)).toHaveLength(0);
  });

  it('refunded_payment: Telegram refunds on its own and tells the bot; a later refundStarPayment is a success', async () => {
    const bot = emulator.createBot();
    const charge = paidCharge(bot.id);
    const first = emulator.sendRefundedPayment(bot.id, { from: buyer, telegramPaymentChargeId: charge });
    const again = emulator.sendRefundedPayment(bot.id, { from: buyer, telegramPaymentChargeId: charge });
    expect([first.firstRefund, again.firstRefund]).toEqual([true, false]);
    const updates = emulator.getPendingUpdates(bot.id).filter((u) => u.message?.refunded_payment);
    expect(updates).toHaveLength(2);
    expect(updates[0].message!.refunded_payment).toEqual({
      currency: 'XTR',
      total_amount: 50,
      invoice_payload: 'stars:x',
      telegram_payment_charge_id: charge,
    });
    await expect(api.refundStarPayment(bot.token, buyer.id, charge)).resolves.toBe('already_refunded');
    expect(() => emulator.sendRefundedPayment(bot.id, { from: buyer, telegramPaymentChargeId: 'stxnope' })).toThrow();
  });
});
