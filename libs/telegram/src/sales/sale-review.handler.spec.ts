import { Telegram } from 'telegraf';
import type { Update, UserFromGetMe } from 'telegraf/types';
import { DomainError, ErrorCode } from '@botfleet/common';
import type { CardPaymentEntity, TenantDb } from '@botfleet/dal';
import type { ApproveReceiptUseCase, RejectReceiptUseCase, ReviewPolicy, SalesQueries } from '@botfleet/sales';
import { BotContext } from '../context/bot-context';
import { translate } from '../i18n/translate';
import type { BotProfile } from '../profile/bot-profile';
import { SaleCallbacks } from './sale-callbacks';
import { SaleReviewHandler } from './sale-review.handler';

const BOT: UserFromGetMe = {
  id: 4_000_001,
  is_bot: true,
  first_name: 'Shop',
  username: 'shop_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
};
const ADMIN = { id: 900_001, is_bot: false, first_name: 'Admin', language_code: 'en' };
const ADMIN_CHAT = { id: -100_123, type: 'supergroup' as const, title: 'Admins' };
const payment = {
  id: '0b9f6a4e-6a3c-4a8e-9d2b-3c1f0e7a5b21',
  status: 'pending',
  trackingNumber: 'C2C-261129-ABCDEF',
} as CardPaymentEntity;

/** The outlet alone: the use cases refuse as the domain does, so what is checked is how the refusal is told. */
function handlerRefusingWith(err: DomainError): SaleReviewHandler {
  const refuse = { execute: () => Promise.reject(err) };
  return new SaleReviewHandler(
    { atomic: (_botId: string, work: () => Promise<unknown>) => work() } as unknown as TenantDb,
    {
      cardPayment: () => Promise.resolve(payment),
      cardPaymentByTracking: () => Promise.resolve(payment),
    } as unknown as SalesQueries,
    { isReviewer: () => Promise.resolve(true) } as unknown as ReviewPolicy,
    refuse as unknown as ApproveReceiptUseCase,
    refuse as unknown as RejectReceiptUseCase,
  );
}

/** Runs one update through the handler for a Persian bot whose admin's Telegram speaks English. */
async function run(handler: SaleReviewHandler, update: Update): Promise<Record<string, unknown>[]> {
  const ctx = new BotContext(update, new Telegram('1:test'), BOT);
  ctx.botId = '11111111-1111-4111-8111-111111111111';
  ctx.profile = { defaultLanguage: 'fa' } as BotProfile;
  ctx.lang = 'en';
  await handler.composer.middleware()(ctx, () => Promise.resolve());
  return ctx.outbox.drain().map((c) => ({ method: c.method, ...c.payload }));
}

const approvePress = (): Update => ({
  update_id: 1,
  callback_query: {
    id: 'cb1',
    from: ADMIN,
    chat_instance: 'x',
    data: SaleCallbacks.approve(payment.id),
    message: { message_id: 10, date: 0, chat: ADMIN_CHAT, text: 'review' },
  },
});

const typedReason = (text: string): Update => ({
  update_id: 2,
  message: {
    message_id: 12,
    date: 0,
    chat: ADMIN_CHAT,
    from: ADMIN,
    text,
    reply_to_message: {
      message_id: 11,
      date: 0,
      chat: ADMIN_CHAT,
      from: BOT,
      text: `Reply to this message with the reason for rejecting ${payment.trackingNumber}.`,
    },
  } as unknown as Update.MessageUpdate['message'],
});

describe('the receipt review tells refusals in the bot language, never the domain message', () => {
  it('approving a payment without a receipt (CONFLICT) answers in Persian', async () => {
    const err = new DomainError(ErrorCode.CONFLICT, 'No receipt has been submitted for this payment yet');
    const calls = await run(handlerRefusingWith(err), approvePress());
    expect(calls).toEqual([
      {
        method: 'answerCallbackQuery',
        callback_query_id: 'cb1',
        text: translate('fa', 'review.noReceipt'),
        show_alert: true,
      },
    ]);
    expect(JSON.stringify(calls)).not.toContain(err.message);
  });

  it('a typed reason that is too long (VALIDATION_FAILED) is answered in Persian', async () => {
    const err = new DomainError(ErrorCode.VALIDATION_FAILED, 'A reason of 1 to 500 characters is required');
    const calls = await run(handlerRefusingWith(err), typedReason('x'.repeat(600)));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'sendMessage', chat_id: ADMIN_CHAT.id });
    expect(calls[0].text).toBe(translate('fa', 'review.reasonInvalid', { max: 500 }));
    expect(calls[0].text).toContain('500');
    expect(JSON.stringify(calls)).not.toContain(err.message);
  });

  it('a reply to the review message itself (it quotes the tracking number too) rejects nothing', async () => {
    let rejected = 0;
    const handler = handlerRefusingWith(new DomainError(ErrorCode.CONFLICT, 'x'));
    (handler as unknown as { rejectReceipt: { execute: () => Promise<void> } }).rejectReceipt = {
      execute: () => {
        rejected++;
        return Promise.resolve();
      },
    };
    const update = typedReason('checking with the bank, one minute');
    const replied = (update as Update.MessageUpdate).message as unknown as { reply_to_message: { text: string } };
    replied.reply_to_message.text = `🧾 New receipt ${payment.trackingNumber}\n\n👤 Buyer`;
    expect(await run(handler, update)).toEqual([]);
    expect(rejected).toBe(0);
    // The prompt itself, in any of the bot's languages, still takes the reason.
    replied.reply_to_message.text = translate('ru', 'review.typeReason', { tracking: payment.trackingNumber });
    await run(handler, update);
    expect(rejected).toBe(1);
  });

  it('a typed reason holding NUL is stored without it (PostgreSQL refuses NUL in text)', async () => {
    const reasons: string[] = [];
    const handler = handlerRefusingWith(new DomainError(ErrorCode.CONFLICT, 'x'));
    (handler as unknown as { rejectReceipt: { execute: (i: { reason: string }) => Promise<void> } }).rejectReceipt = {
      execute: ({ reason }) => {
        reasons.push(reason);
        return Promise.resolve();
      },
    };
    const update = typedReason('wrong\u0000 amount');
    const replied = (update as Update.MessageUpdate).message as unknown as { reply_to_message: { text: string } };
    replied.reply_to_message.text = translate('en', 'review.typeReason', { tracking: payment.trackingNumber });
    await run(handler, update);
    expect(reasons).toEqual(['wrong amount']);
  });

  it('an error that is not a domain refusal is not swallowed', async () => {
    const handler = handlerRefusingWith(new DomainError(ErrorCode.CONFLICT, 'x'));
    (handler as unknown as { approveReceipt: { execute: () => Promise<never> } }).approveReceipt = {
      execute: () => Promise.reject(new Error('connection lost')),
    };
    await expect(run(handler, approvePress())).rejects.toThrow('connection lost');
  });
});
