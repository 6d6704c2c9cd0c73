import type { Language } from '@botfleet/catalog';
import type { PaymentCardView, PlanView } from '@botfleet/catalog';
import {
  adjustConfirmScreen,
  adminHelpLines,
  adminHomeScreen,
  approveConfirmScreen,
  blockConfirmScreen,
  refundConfirmScreen,
  cardScreen as adminCardScreen,
  cardsScreen,
  cardToggleConfirmScreen,
  CustomerCard,
  customerScreen,
  dashboardScreen,
  lookupResultsScreen,
  planScreen,
  plansScreen as adminPlansScreen,
  planToggleConfirmScreen,
  priceConfirmScreen,
  ReceiptCard,
  receiptScreen,
  rejectReasonsScreen,
  textPreviewScreen,
  textPromptText,
  textsScreen,
  adminTicketScreen,
  ticketCloseConfirmScreen,
  ticketsScreen,
} from '../admin/admin-screens';
import type {
  CardPaymentEntity,
  GatewayPaymentEntity,
  OrderEntity,
  PaymentCardEntity,
  PlanEntity,
  SubscriptionEntity,
  TicketEntity,
  TicketMessageEntity,
  TransactionEntity,
  UserEntity,
} from '@botfleet/dal';
import type { SubscriptionView } from '@botfleet/provisioning';
import { checkKeyboard, checkTelegramHtml, HOSTILE_CASES, stringProblem } from '@botfleet/testing';
import { parsePromoCallback, PromoCallbacks, promoPromptOf, promoRejectionText } from '../growth/promo-screens';
import { referralScreen } from '../growth/referral-screens';
import { PROMO_REJECTIONS } from '@botfleet/growth';
import type { Screen } from '../context/bot-context';
import { translate } from '../i18n/translate';
import type { BotProfile } from '../profile/bot-profile';
import { noticeUndeliveredText, rejectedByText, rejectionNoticeText, reviewMessageText } from '../sales/review-message';
import { cardScreen, methodsScreen, plansScreen, planText, renewOrNewScreen } from '../sales/sale-screens';
import { mainMenuScreen, supportScreen } from '../screens/screens';
import { subscriptionDeliveryText } from '../screens/subscription-delivery';
import { subscriptionsScreen } from '../screens/subscriptions.screen';
import { INVOICE_LIMITS, starsInvoiceParams } from '../payments/stars-invoice';
import { paymentLinkScreen } from '../payments/payment-screens';
import { buttonLabel, fitHtml, htmlToText, plain, TELEGRAM_LIMITS } from './html';
import { cleanText, wellFormed, wellFormedPayload } from './sanitize';
import {
  adminApiReplyText,
  adminCardKeyboard,
  adminCardText,
  adminClosedText,
  adminFollowUpText,
  answerScreen,
  offerAddScreen,
  supportHomeScreen,
  ticketListScreen,
  ticketScreen,
} from '../support/support-screens';
import {
  amountPromptText,
  topUpAmountsScreen,
  topUpCreditedScreen,
  topUpDifferenceButton,
  topUpMethodsScreen,
  walletScreen,
} from '../wallet/wallet-screens';

/**
 * The shared hostile corpus (libs/testing/src/hostile) through every screen that shows a user's or a
 * tenant's text: each output parses as Telegram's HTML, fits its limit, has no lone surrogate, NUL or
 * unbalanced direction control, and its keyboard passes Telegram's checks; a warning stays first.
 */

const LANGS: Language[] = ['en', 'fa', 'ru'];
const ID = '0b9f6a4e-6a3c-4a8e-9d2b-3c1f0e7a5b21';
const ID2 = '6f1c1b6e-3a55-4d39-9c40-1f1e5b0f8a11';

function checkScreen(screen: Screen, limit: number = TELEGRAM_LIMITS.messageText): string {
  checkKeyboard(screen.keyboard as { text: string }[][] | undefined);
  return checkTelegramHtml(screen.text, limit);
}

const profile = (over: Partial<BotProfile> = {}): BotProfile => ({
  botId: ID,
  name: 'Shop',
  username: 'shop_bot',
  isMaster: false,
  ownerTelegramId: 1,
  defaultLanguage: 'en',
  supportUsername: 'helpdesk',
  languages: ['en', 'fa', 'ru'],
  welcomeText: {},
  supportText: {},
  menuButtons: [[{ action: 'buy' }], [{ action: 'language' }, { action: 'support' }], [{ action: 'help' }]],
  features: new Set(),
  ...over,
});

const planOf = (name: string): PlanEntity =>
  ({
    id: ID,
    name: { en: name, fa: name, ru: name },
    priceMinor: 500_000,
    periodDays: 30,
    trafficLimitGb: 50,
    deviceLimit: 2,
  }) as PlanEntity;

const payment = (over: Partial<CardPaymentEntity> = {}): CardPaymentEntity =>
  ({
    id: ID,
    trackingNumber: 'C2C-261129-ABCDEF',
    amountMinor: 500_000,
    expiresAt: new Date('2026-11-29T10:00:00Z'),
    isFlagged: true,
    receiptType: 'photo',
    receiptText: null,
    rejectionReason: null,
    reviewedBy: 'bot_admin:42',
    ...over,
  }) as CardPaymentEntity;

const cardOf = (holder: string, bank: string | null = null): PaymentCardEntity =>
  ({ id: ID, cardNumber: '6037991234567890', cardHolderName: holder, bankName: bank }) as PaymentCardEntity;

const view = (over: Partial<SubscriptionView> = {}): SubscriptionView => ({
  id: ID2,
  status: 'active',
  planName: { en: 'Monthly' },
  planId: ID,
  subscriptionUrl: 'https://panel.example.com/sub/abc',
  startsAt: new Date('2026-01-01T00:00:00Z'),
  expiresAt: new Date('2026-01-31T12:00:00Z'),
  trafficLimitBytes: 50 * 1024 ** 3,
  trafficUsedBytes: 1024 ** 3,
  deviceLimit: 2,
  isTrial: false,
  ...over,
});

describe.each(HOSTILE_CASES)('hostile text "%s" on every screen', (_name, hostile) => {
  it.each(LANGS)('the main menu (%s): welcome text, user and shop names, button labels', (lang) => {
    const welcome = mainMenuScreen(profile({ welcomeText: { [lang]: hostile } }), lang, hostile);
    checkScreen(welcome);
    checkScreen(mainMenuScreen(profile({ name: hostile }), lang, hostile));
    const buttons = mainMenuScreen(
      profile({
        menuButtons: [
          [{ action: 'buy', text: { [lang]: hostile } }],
          [{ url: 'https://example.com', text: { [lang]: hostile } }],
        ],
      }),
      lang,
      null,
    );
    checkScreen(buttons);
  });

  it.each(LANGS)('the support screen (%s): support text and contact', (lang) => {
    checkScreen(supportScreen(profile({ supportText: { [lang]: hostile }, supportUsername: hostile }), lang));
  });

  it.each(LANGS)('the plans list, plan, renew-or-new and methods screens (%s)', (lang) => {
    const plan = planOf(hostile);
    checkScreen(plansScreen([plan, planOf('Monthly')], lang, 'IRR'));
    checkTelegramHtml(planText(plan, lang, 'IRR'));
    const sub = { id: ID2, expiresAt: new Date('2026-01-31T12:00:00Z') } as SubscriptionEntity;
    checkScreen(renewOrNewScreen(plan, [sub], lang, 'IRR'));
    const order = { id: ID, amountMinor: 500_000, currency: 'IRR' } as OrderEntity;
    checkScreen(methodsScreen(order, plan, lang, { card: true, walletBalanceMinor: 10 }));
    // The online gateways' buttons (a gateway without its own text shows its name) and the started payment.
    checkScreen(
      methodsScreen(order, plan, lang, { card: false, walletBalanceMinor: null, gateways: ['zarinpal', 'x_pay'] }),
    );
    const started = { amountMinor: 500_000, currency: 'IRR', expiresAt: new Date('2026-01-31T12:00:00Z') };
    checkScreen(
      paymentLinkScreen(started as GatewayPaymentEntity, 'https://payment.zarinpal.com/pg/StartPay/A1', lang),
    );
  });

  it.each(LANGS)('the Telegram Stars invoice (%s): title and description from the plan name', (lang) => {
    const params = starsInvoiceParams(lang, 42, {
      title: hostile,
      payload: `stars:${ID}`,
      currency: 'XTR',
      amount: 5,
      days: 30,
    });
    for (const [text, max] of [
      [params.title, INVOICE_LIMITS.title],
      [params.description, INVOICE_LIMITS.description],
      [params.prices[0].label, INVOICE_LIMITS.title],
    ] as const) {
      expect(stringProblem(text)).toBeNull();
      expect(text.trim().length).toBeGreaterThan(0);
      expect(text.length).toBeLessThanOrEqual(max);
    }
  });

  it.each(LANGS)('the card screen (%s): card holder and bank', (lang) => {
    checkScreen(cardScreen(payment(), cardOf(hostile, hostile), 'IRR', lang, true));
  });

  it.each(LANGS)('the review message to admins (%s): the "photo used before" warning stays first', (lang) => {
    const subject = {
      user: { firstName: hostile, lastName: hostile, username: hostile, telegramId: 42 } as UserEntity,
      order: { currency: 'IRR' } as OrderEntity,
      card: cardOf(hostile),
      plan: planOf(hostile),
    };
    const warning = htmlToText(translate(lang, 'review.flagged'));
    const caption = checkTelegramHtml(
      reviewMessageText(lang, payment(), subject, 'IRR', TELEGRAM_LIMITS.caption),
      TELEGRAM_LIMITS.caption,
    );
    expect(caption.split('\n')[0]).toBe(warning);
    const text = checkTelegramHtml(
      reviewMessageText(lang, payment({ receiptType: 'text', receiptText: hostile }), subject, 'IRR'),
    );
    expect(text.split('\n')[0]).toBe(warning);
    expect(text).toContain('C2C-261129-ABCDEF');
  });

  it.each(LANGS)('the approval and rejection notices (%s): the reason', (lang) => {
    const rejected = payment({ rejectionReason: hostile });
    checkTelegramHtml(rejectionNoticeText(lang, rejected));
    checkTelegramHtml(rejectedByText(lang, rejected));
    checkTelegramHtml(translate(lang, 'receipt.approved', { tracking: 'C2C-261129-ABCDEF' }));
  });

  it.each(LANGS)('/subs and the delivery message (%s): plan names and links', (lang) => {
    const subs = [view({ planName: { [lang]: hostile } }), view({ subscriptionUrl: hostile, isTrial: true })];
    checkScreen(subscriptionsScreen(lang, subs, true));
    checkTelegramHtml(subscriptionDeliveryText(lang, view({ subscriptionUrl: hostile }), false));
  });

  it.each(LANGS)('the owner alerts (%s)', (lang) => {
    checkTelegramHtml(noticeUndeliveredText(lang, 'shop_bot', hostile, hostile));
  });

  it.each(LANGS)(
    'the wallet screens (%s): movements, amounts, methods, the credited notice with the plan name',
    (lang) => {
      const moves = [
        { type: 'deposit', amountMinor: 150_000, createdAt: new Date('2026-11-29T10:00:00Z') },
        { type: 'purchase', amountMinor: -500_000, createdAt: new Date('2026-11-29T11:00:00Z') },
      ] as TransactionEntity[];
      checkScreen(walletScreen(lang, 1_000_000_000, 'IRR', { items: moves, total: 12, page: 2, pageSize: 5 }, true));
      const offer = { minMinor: 10_000, maxMinor: 100_000_000, presets: [100_000, 200_000, 500_000], currency: 'IRR' };
      checkScreen(topUpAmountsScreen(lang, offer));
      checkTelegramHtml(amountPromptText(lang, offer));
      const order = { id: ID, amountMinor: 500_000, currency: 'IRR', status: 'pending' } as OrderEntity;
      checkScreen(
        topUpMethodsScreen(
          lang,
          150_000,
          'IRR',
          { card: true, gateways: [{ method: 'zarinpal', label: hostile }] },
          {
            order,
            balanceMinor: 350_000,
          },
        ),
      );
      checkScreen(topUpCreditedScreen(lang, payment(), 500_000, 'IRR', { order, plan: planOf(hostile) }));
      checkScreen(
        methodsScreen(order, planOf(hostile), lang, {
          card: true,
          walletBalanceMinor: null,
          topUpDifference: topUpDifferenceButton(lang, order, 150_000),
        }),
      );
      const review = reviewMessageText(
        lang,
        payment({ purpose: 'topup', orderId: null }),
        { user: { firstName: hostile } as UserEntity, order: null, card: cardOf(hostile), plan: null },
        'IRR',
      );
      expect(checkTelegramHtml(review)).toContain(htmlToText(translate(lang, 'review.topUp')));
    },
  );

  it.each(LANGS)('the support tickets (%s): subjects, messages, names in the bot and the admin chat', (lang) => {
    const ticket = {
      id: ID,
      number: 7,
      userId: ID2,
      subject: hostile,
      status: 'open',
      closedBy: 'user:x',
    } as TicketEntity;
    const msg = (sender: 'user' | 'admin', photo: string | null = null) =>
      ({ id: ID2, ticketId: ID, sender, text: hostile, photoFileId: photo }) as TicketMessageEntity;
    const user = {
      firstName: hostile,
      lastName: hostile,
      username: hostile,
      telegramId: 42,
      language: lang,
    } as UserEntity;
    checkScreen(supportHomeScreen(profile({ supportText: { [lang]: hostile }, supportUsername: hostile }), lang));
    checkScreen(ticketListScreen(lang, [ticket, { ...ticket, status: 'closed', number: 8 }]));
    checkScreen(ticketScreen(lang, ticket, [msg('user', 'photo'), msg('admin'), msg('user')]));
    checkScreen(offerAddScreen(lang, ticket, 2_147_483_647));
    checkScreen(answerScreen(lang, ticket, msg('admin')));
    checkScreen(answerScreen(lang, ticket, msg('admin', 'photo'), TELEGRAM_LIMITS.caption), TELEGRAM_LIMITS.caption);
    checkScreen(answerScreen(lang, ticket, msg('admin'), TELEGRAM_LIMITS.messageText, true));
    const card = {
      user,
      subscriptions: [
        { ...view(), status: 'active', plan: planOf(hostile) } as unknown as SubscriptionEntity & { plan: PlanEntity },
      ],
      orders: [{ createdAt: new Date('2026-11-29T10:00:00Z'), amountMinor: 500_000, currency: 'IRR', status: 'paid' }],
    } as unknown as Parameters<typeof adminCardText>[3];
    const shown = checkTelegramHtml(adminCardText(lang, 'IRR', ticket, card, msg('user')));
    // The how-to survives any cut of the customer's message.
    expect(shown.endsWith(htmlToText(translate(lang, 'ticketAdmin.howTo')))).toBe(true);
    checkKeyboard(adminCardKeyboard(lang, ticket) as { text: string }[][]);
    checkTelegramHtml(adminFollowUpText(lang, ticket, user, msg('user')));
    checkTelegramHtml(
      adminFollowUpText(lang, ticket, user, msg('user', 'p'), TELEGRAM_LIMITS.caption),
      TELEGRAM_LIMITS.caption,
    );
    checkTelegramHtml(adminApiReplyText(lang, ticket, msg('admin')));
    checkTelegramHtml(adminClosedText(lang, { ...ticket, closedBy: hostile }));
  });
});

describe.each(HOSTILE_CASES)('hostile text "%s" on the /admin screens', (_name, hostile) => {
  const plan = (over: Partial<PlanView> = {}): PlanView =>
    ({
      id: ID,
      name: { en: hostile, fa: hostile, ru: hostile },
      priceMinor: 500_000,
      currency: 'IRR',
      periodDays: 30,
      trafficLimitGb: 50,
      deviceLimit: 2,
      isActive: true,
      ...over,
    }) as PlanView;
  const card = (over: Partial<PaymentCardView> = {}): PaymentCardView =>
    ({
      id: ID,
      cardNumberMasked: '6037 99•• •••• 7890',
      cardHolderName: hostile,
      usedTodayMinor: 100_000,
      dailyLimitMinor: 5_000_000,
      currency: 'IRR',
      successCount: 3,
      failureCount: 1,
      isActive: true,
      ...over,
    }) as PaymentCardView;
  const customer: CustomerCard = {
    id: ID,
    telegramId: 42,
    name: hostile,
    username: hostile,
    joinedAt: new Date('2026-01-01T00:00:00Z'),
    blocked: false,
    balanceMinor: 10_000,
    currency: 'IRR',
    referrer: hostile,
    subscriptions: [view({ planName: { en: hostile, fa: hostile, ru: hostile } }), view({ status: 'expired' })],
    orders: [
      {
        id: ID,
        createdAt: new Date('2026-11-29T10:00:00Z'),
        planName: { en: hostile, fa: hostile, ru: hostile },
        amountMinor: 1,
        status: 'paid',
        refundable: true,
      },
    ],
  };
  const receipt: ReceiptCard = {
    paymentId: ID,
    trackingNumber: 'C2C-261129-ABCDEF',
    amountMinor: 500_000,
    currency: 'IRR',
    userName: hostile,
    userTelegramId: 42,
    planName: { en: hostile, fa: hostile, ru: hostile },
    receiptText: hostile,
    hasPhoto: true,
  };

  it.each(LANGS)('menu, dashboard, receipts, customer, plans, cards and texts (%s)', (lang) => {
    for (const role of ['owner', 'admin', 'support'] as const) checkScreen(adminHomeScreen(lang, hostile, role));
    checkScreen(
      dashboardScreen(lang, {
        currency: 'IRR',
        today: { sales: 1, revenueMinor: 1, newUsers: 1 },
        month: { sales: 2, revenueMinor: 2, newUsers: 2 },
        activeSubscriptions: 3,
        pendingReceipts: 4,
        wallet: { freeMinor: -5, heldMinor: 5, low: true, currency: 'IRR' },
      }),
    );
    checkScreen(receiptScreen(lang, receipt, 2, 3));
    checkScreen(receiptScreen(lang, null, 1, 0));
    checkScreen(approveConfirmScreen(lang, receipt, 1));
    checkScreen(rejectReasonsScreen(lang, receipt, 1));
    for (const may of [
      { users: true, wallet: true, refunds: true },
      { users: false, wallet: false },
    ]) {
      checkScreen(customerScreen(lang, customer, may));
    }
    checkScreen(
      customerScreen(
        lang,
        { ...customer, blocked: true, username: null, referrer: null },
        { users: true, wallet: true },
      ),
    );
    checkScreen(blockConfirmScreen(lang, customer, true));
    checkScreen(refundConfirmScreen(lang, customer, customer.orders[0]));
    checkScreen(adjustConfirmScreen(lang, customer, -5000, hostile, 'AbCdEfGhIjKlMnOp'));
    checkScreen(lookupResultsScreen(lang, hostile, [{ id: ID, telegramId: 42, name: hostile, username: hostile }], 9));
    checkScreen(lookupResultsScreen(lang, hostile, [], 0));
    const plans = Array.from({ length: 8 }, (_, i) => plan({ isActive: i % 2 === 0 }));
    checkScreen(adminPlansScreen(lang, plans, 2));
    checkScreen(planScreen(lang, plan()));
    checkScreen(planToggleConfirmScreen(lang, plan(), false));
    checkScreen(priceConfirmScreen(lang, plan(), 777_000));
    checkScreen(cardsScreen(lang, [card(), card({ isActive: false, dailyLimitMinor: null })], 1));
    checkScreen(adminCardScreen(lang, card()));
    checkScreen(adminCardScreen(lang, card({ successCount: 0, failureCount: 0, dailyLimitMinor: null })));
    checkScreen(cardToggleConfirmScreen(lang, card(), true));
    checkScreen(textsScreen(lang, LANGS));
    checkTelegramHtml(textPromptText(lang, 'welcome', 'fa'));
    checkScreen(textPreviewScreen(lang, 'welcome', lang, hostile.repeat(50), 'AbCdEfGhIjKlMnOp'));
    checkTelegramHtml([translate(lang, 'help.title'), ...adminHelpLines(lang, 'owner')].join('\n'));
  });

  it.each(LANGS)('the tickets section: list, a ticket, its close confirmation (%s)', (lang) => {
    const ticket = { id: ID, number: 2_147_483_647, userId: ID, subject: hostile, status: 'answered' } as TicketEntity;
    const msg = (sender: 'user' | 'admin', photo: string | null = null) =>
      ({ id: ID, ticketId: ID, sender, text: hostile.repeat(40), photoFileId: photo }) as TicketMessageEntity;
    checkScreen(
      ticketsScreen(
        lang,
        [
          { ticket, name: hostile },
          { ticket: { ...ticket, subject: null }, name: '' },
        ],
        11,
        2,
      ),
    );
    checkScreen(ticketsScreen(lang, [], 0, 1));
    const messages = [msg('user', 'photo'), msg('admin'), msg('user'), msg('admin'), msg('user')];
    checkScreen(adminTicketScreen(lang, ticket, { name: hostile, telegramId: 42 }, messages));
    checkScreen(adminTicketScreen(lang, { ...ticket, status: 'closed' }, { name: hostile, telegramId: null }, []));
    checkScreen(ticketCloseConfirmScreen(lang, ticket));
  });
});

describe('the sanitiser', () => {
  it('replaces lone surrogates, keeps pairs', () => {
    expect(wellFormed('a\uD800b\uDC00😀')).toBe('a\uFFFDb\uFFFD😀');
    expect(wellFormed('\uDE00\uD83D')).toBe('\uFFFD\uFFFD');
  });

  it('removes NUL, controls and direction controls, keeps newlines, tabs, marks and joiners', () => {
    expect(cleanText('a\u0000b\u0007\u202Ec\u2066d\u2069\uFEFF\r\ne\tf\u200F👨\u200D👩')).toBe(
      'abcd\ne\tf\u200F👨\u200D👩',
    );
  });

  it('isolates each right-to-left line of a fragment, escapes the rest as before', () => {
    expect(plain('Ali <b>', 50)).toBe('Ali &lt;b&gt;');
    expect(plain('علی\u202E\nline\nرضا', 50)).toBe('\u2068علی\u2069\nline\n\u2068رضا\u2069');
  });

  it('a cut closes the isolates it leaves open', () => {
    const html = fitHtml(`<b>${plain('ع'.repeat(5000), 5000)}</b>`, 100);
    expect(htmlToText(html).length).toBeLessThanOrEqual(100);
    expect(stringProblem(html)).toBeNull();
  });

  it('button labels fit 64 UTF-16 units, never half an emoji, and are never empty', () => {
    const emoji = buttonLabel('😀'.repeat(100));
    expect(emoji.length).toBeLessThanOrEqual(64);
    expect(stringProblem(emoji)).toBeNull();
    expect(buttonLabel('\u200B\uFEFF', 'Buy')).toBe('Buy');
    expect(stringProblem(buttonLabel('ع'.repeat(100)))).toBeNull();
  });

  it("a plan's button shows its name as written: no entity, no markup", () => {
    const [[button]] = plansScreen([planOf('<b>Fast & "Safe"</b>')], 'en', 'IRR').keyboard!;
    expect(button.text.startsWith('<b>Fast & "Safe"</b> · ')).toBe(true);
  });

  it('every string of an outgoing request is made well-formed and without NUL; uploads stay as they are', () => {
    const source = Buffer.from('png');
    const payload = {
      chat_id: 1,
      text: 'a\uD800\u0000b',
      reply_markup: { inline_keyboard: [[{ text: '\uDC00x', callback_data: 'menu:home' }]] },
      photo: { source, filename: 'x\uD800.png' },
    };
    expect(wellFormedPayload(payload)).toEqual({
      chat_id: 1,
      text: 'a\uFFFDb',
      reply_markup: { inline_keyboard: [[{ text: '\uFFFDx', callback_data: 'menu:home' }]] },
      photo: { source, filename: 'x\uFFFD.png' },
    });
    expect(wellFormedPayload(payload).photo.source).toBe(source);
  });
});

describe.each(HOSTILE_CASES)('hostile text "%s" on the promo code and referral screens', (_name, hostile) => {
  it.each(LANGS)('the payment screen with the Promo code button, the promo replies and /ref (%s)', (lang) => {
    const order = { id: ID, amountMinor: 400_000, discountMinor: 100_000, currency: 'IRR' } as OrderEntity;
    const screen = methodsScreen(order, planOf(hostile), lang, { card: true, walletBalanceMinor: null, promo: true });
    checkScreen(screen);
    expect(JSON.stringify(screen.keyboard)).toContain('pc:o:');
    expect(parsePromoCallback(PromoCallbacks.forOrder(ID))).toEqual({ kind: 'forOrder', orderId: ID });
    for (const forged of [`pc:o:${hostile}`, 'pc:o:', `pc:x:${PromoCallbacks.forOrder(ID).slice(5)}`, hostile]) {
      expect(parsePromoCallback(forged)).toBeNull();
    }
    for (const key of ['promo.prompt', 'promo.promptOrder', 'promo.usage', 'promo.rejected'] as const) {
      checkTelegramHtml(translate(lang, key));
    }
    for (const reason of PROMO_REJECTIONS) checkTelegramHtml(translate(lang, promoRejectionText(reason)));
    // The code is ours (A–Z, 0–9, _ and -, at most 32) and the money is formatted: the largest of each.
    const code = { html: `<code>${'W'.repeat(32)}</code>` };
    const money = 'IRR 1,000,000,000,000,000';
    checkTelegramHtml(translate(lang, 'promo.credited', { code, amount: money, balance: money }));
    checkTelegramHtml(translate(lang, 'promo.applied', { code, price: money, was: money }));
    checkTelegramHtml(translate(lang, 'promo.appliedDays', { code, days: 3650 }));
    checkTelegramHtml(translate(lang, 'promo.stored', { code }));
    expect(promoPromptOf(htmlToText(translate(lang, 'promo.promptOrder')), [lang])).toBe('promo.promptOrder');
    expect(promoPromptOf(hostile, [lang])).toBeNull();
    const summary = {
      referralCode: 'k3x9p2',
      startPayload: 'ref_k3x9p2',
      joined: 1_000_000,
      bought: 999_999,
      earnedMinor: 1_000_000_000_000,
      reversedMinor: 0,
      commissionPercent: 50,
      scope: 'every_purchase' as const,
    };
    checkScreen(referralScreen(lang, 'shop_bot', summary, 'IRR'));
    // A username that is not one (it comes from Telegram, but still) is never put into a link.
    const odd = checkScreen(referralScreen(lang, hostile, { ...summary, scope: 'first_purchase' }, 'IRR'));
    expect(odd).not.toContain('t.me/');
  });
});
