import type { InlineKeyboardButton } from 'telegraf/types';
import { type AdminRole, roleAllows } from '@botfleet/bots';
import {
  AUDIENCE_SEGMENTS,
  type AudienceLanguage,
  type AudienceSegment,
  type BroadcastView,
} from '@botfleet/broadcasts';
import type { BroadcastEntity, TicketEntity, TicketMessageEntity, TicketStatus } from '@botfleet/dal';
import type { Language, Localized, PaymentCardView, PlanView } from '@botfleet/catalog';
import type { SubscriptionView } from '@botfleet/provisioning';
import { ADJUST_REASON_MAX } from '@botfleet/customers';
import { WHOLESALE_REFUND_WINDOW_MS } from '@botfleet/payments';
import type { Screen } from '../context/bot-context';
import type { TextKey } from '../i18n/texts';
import { translate } from '../i18n/translate';
import { formatMoney, localizedName } from '../sales/sale-format';
import { REJECTION_PRESETS } from '../sales/sale-screens';
import { broadcastAudienceText, broadcastRef } from '../broadcasts/broadcast-texts';
import { formatDateTime, formatTraffic } from '../screens/subscription-format';
import { buttonLabel, fitHtml, htmlToText, plain, plainBlock, TELEGRAM_LIMITS } from '../text/html';
import { AdminCallbacks, type ShopTextKind } from './admin-callbacks';
import { consoleLinkButton } from './console-link';

/** Items per page of the plans and cards lists. */
export const ADMIN_PAGE_SIZE = 6;
/** Longest shop texts (the configuration schemas' limits). */
export const SHOP_TEXT_MAX: Record<ShopTextKind, number> = { welcome: 3000, support: 1000 };

const t = translate;
const btn = (text: string, data: string): InlineKeyboardButton => ({ text: buttonLabel(text), callback_data: data });
const homeRow = (lang: Language): InlineKeyboardButton[] => [btn(t(lang, 'admin.btn.home'), AdminCallbacks.home())];
const fit = (html: string) => fitHtml(html, TELEGRAM_LIMITS.messageText);

export const roleName = (lang: Language, role: AdminRole): string => t(lang, `admin.role.${role}`);

/** The admin menu: only the sections the role may open. */
export function adminHomeScreen(lang: Language, shop: string, role: AdminRole): Screen {
  const rows: InlineKeyboardButton[][] = [];
  const add = (ok: boolean, key: TextKey, data: string) => ok && rows.push([btn(t(lang, key), data)]);
  add(roleAllows(role, 'dashboard'), 'admin.btn.dashboard', AdminCallbacks.dashboard());
  add(roleAllows(role, 'receipts'), 'admin.btn.receipts', AdminCallbacks.receipts(1));
  add(roleAllows(role, 'lookup'), 'admin.btn.lookup', AdminCallbacks.lookup());
  add(roleAllows(role, 'plans'), 'admin.btn.plans', AdminCallbacks.plans(1));
  add(roleAllows(role, 'cards'), 'admin.btn.cards', AdminCallbacks.cards(1));
  add(roleAllows(role, 'texts'), 'admin.btn.texts', AdminCallbacks.texts());
  add(roleAllows(role, 'broadcasts'), 'admin.btn.broadcasts', AdminCallbacks.broadcasts());
  add(roleAllows(role, 'tickets'), 'admin.btn.tickets', AdminCallbacks.tickets(1));
  // Every role may open the web console (it shows only what the role allows).
  rows.push([consoleLinkButton(lang)]);
  return {
    text: t(lang, 'admin.title', { shop: { html: plain(shop, 100) }, role: roleName(lang, role) }),
    keyboard: rows,
  };
}

/** The admin's commands, by role, after the customer's own. */
export function adminHelpLines(lang: Language, role: AdminRole): string[] {
  const lines = ['', t(lang, 'admin.help.title', { role: roleName(lang, role) }), t(lang, 'admin.help.admin')];
  if (roleAllows(role, 'dashboard')) lines.push(t(lang, 'admin.help.stats'));
  if (roleAllows(role, 'receipts')) lines.push(t(lang, 'admin.help.receipts'));
  if (roleAllows(role, 'lookup')) lines.push(t(lang, 'admin.help.find'));
  if (roleAllows(role, 'plans')) lines.push(t(lang, 'admin.help.plans'));
  if (roleAllows(role, 'cards')) lines.push(t(lang, 'admin.help.cards'));
  if (roleAllows(role, 'texts')) lines.push(t(lang, 'admin.help.texts'));
  if (roleAllows(role, 'broadcasts')) lines.push(t(lang, 'admin.help.broadcast'));
  if (roleAllows(role, 'tickets')) lines.push(t(lang, 'admin.help.tickets'));
  return lines;
}

export interface DashboardFigures {
  currency: string;
  today: { sales: number; revenueMinor: number; newUsers: number };
  month: { sales: number; revenueMinor: number; newUsers: number };
  activeSubscriptions: number;
  pendingReceipts: number;
  /** Only for a role that sees the wholesale wallet. */
  wallet?: { freeMinor: number; heldMinor: number; low: boolean; currency: string };
}

export function dashboardScreen(lang: Language, f: DashboardFigures): Screen {
  const money = (v: number) => formatMoney(lang, v, f.currency);
  const lines = [
    t(lang, 'admin.dashboard', {
      todaySales: f.today.sales,
      todayRevenue: money(f.today.revenueMinor),
      todayUsers: f.today.newUsers,
      monthSales: f.month.sales,
      monthRevenue: money(f.month.revenueMinor),
      monthUsers: f.month.newUsers,
      active: f.activeSubscriptions,
      pending: f.pendingReceipts,
    }),
  ];
  if (f.wallet) {
    const w = f.wallet;
    lines.push(
      t(lang, 'admin.dashboard.wallet', {
        free: formatMoney(lang, w.freeMinor, w.currency),
        held: formatMoney(lang, w.heldMinor, w.currency),
      }),
    );
    if (w.low) lines.push('', t(lang, 'admin.dashboard.walletLow'));
  }
  return {
    text: lines.join('\n'),
    keyboard: [[btn(t(lang, 'admin.btn.refresh'), AdminCallbacks.dashboard())], homeRow(lang)],
  };
}

export interface ReceiptCard {
  paymentId: string;
  trackingNumber: string;
  amountMinor: number;
  currency: string;
  userName: string;
  userTelegramId: number | null;
  planName: Localized | null;
  receiptText: string | null;
  hasPhoto: boolean;
}

/** One receipt waiting for review, `n` of `total`, with Approve / Reject and the pages around it. */
export function receiptScreen(lang: Language, r: ReceiptCard | null, n: number, total: number): Screen {
  if (!r) return { text: t(lang, 'admin.receipts.none'), keyboard: [homeRow(lang)] };
  const receipt = r.receiptText ? plainBlock(r.receiptText, 1000) : t(lang, 'admin.receipt.photo');
  const text = t(lang, 'admin.receipt', {
    n,
    total,
    tracking: r.trackingNumber,
    user: { html: plain(r.userName, 64) || '—' },
    tgId: r.userTelegramId ?? '—',
    plan: { html: r.planName ? plain(localizedName(r.planName, lang), 100) : '—' },
    amount: formatMoney(lang, r.amountMinor, r.currency),
    receipt: { html: receipt },
  });
  const keyboard: InlineKeyboardButton[][] = [
    [
      btn(t(lang, 'admin.btn.approve'), AdminCallbacks.approveAsk(r.paymentId)),
      btn(t(lang, 'admin.btn.reject'), AdminCallbacks.rejectAsk(r.paymentId)),
    ],
  ];
  if (r.hasPhoto) keyboard.push([btn(t(lang, 'admin.btn.photo'), AdminCallbacks.receiptPhoto(r.paymentId))]);
  keyboard.push(pager(lang, n, total, AdminCallbacks.receipts), homeRow(lang));
  return { text: fit(text), keyboard: keyboard.filter((row) => row.length) };
}

export function approveConfirmScreen(lang: Language, r: ReceiptCard, n: number): Screen {
  return confirm(
    lang,
    t(lang, 'admin.receipt.confirmApprove', {
      tracking: r.trackingNumber,
      amount: formatMoney(lang, r.amountMinor, r.currency),
    }),
    AdminCallbacks.approve(r.paymentId),
    AdminCallbacks.receipts(n),
  );
}

export function rejectReasonsScreen(lang: Language, r: ReceiptCard, n: number): Screen {
  return {
    text: t(lang, 'admin.receipt.chooseReason', { tracking: r.trackingNumber }),
    keyboard: [
      ...REJECTION_PRESETS.map((key, i) => [btn(t(lang, key), AdminCallbacks.reject(r.paymentId, i))]),
      [btn(t(lang, 'admin.btn.cancel'), AdminCallbacks.receipts(n))],
    ],
  };
}

export interface CustomerCard {
  id: string;
  telegramId: number;
  name: string;
  username: string | null;
  joinedAt: Date;
  blocked: boolean;
  balanceMinor: number;
  currency: string;
  referrer: string | null;
  subscriptions: SubscriptionView[];
  orders: {
    id: string;
    createdAt: Date;
    planName: Localized | null;
    amountMinor: number;
    status: string;
    /** The shop may refund it here (paid or delivered, not by a gateway that refunds itself). */
    refundable: boolean;
  }[];
}

const displayName = (c: Pick<CustomerCard, 'name' | 'username' | 'telegramId'>): string =>
  c.name.trim() || (c.username ? `@${c.username}` : String(c.telegramId));

/** A customer: who, wallet, referrer, subscriptions with usage, last orders; the actions the role allows. */
export function customerScreen(
  lang: Language,
  c: CustomerCard,
  may: { users: boolean; wallet: boolean; refunds?: boolean },
): Screen {
  const money = (v: number) => formatMoney(lang, v, c.currency);
  const lines = [
    t(lang, 'admin.user', {
      name: { html: plain(displayName(c), 64) },
      username: { html: c.username ? `@${plain(c.username, 32)}` : '' },
      tgId: c.telegramId,
      joined: formatDateTime(lang, c.joinedAt),
      status: t(lang, c.blocked ? 'admin.user.blocked' : 'admin.user.active'),
      balance: money(c.balanceMinor),
      referrer: { html: c.referrer ? plain(c.referrer, 64) : t(lang, 'admin.user.none') },
    }),
    '',
    t(lang, 'admin.user.subs'),
  ];
  if (!c.subscriptions.length) lines.push(t(lang, 'admin.user.noSubs'));
  for (const s of c.subscriptions.slice(0, 5)) {
    lines.push(
      t(lang, 'admin.user.sub', {
        plan: { html: plain(localizedName(s.planName, lang), 64) || '—' },
        status: t(lang, `status.${s.status}` as TextKey),
        used: formatTraffic(lang, s.trafficUsedBytes, false),
        limit: formatTraffic(lang, s.trafficLimitBytes),
        expires: s.expiresAt ? formatDateTime(lang, s.expiresAt) : '—',
      }),
    );
  }
  lines.push('', t(lang, 'admin.user.orders'));
  if (!c.orders.length) lines.push(t(lang, 'admin.user.noOrders'));
  for (const o of c.orders.slice(0, 5)) {
    lines.push(
      t(lang, 'admin.user.order', {
        date: formatDateTime(lang, o.createdAt),
        plan: { html: o.planName ? plain(localizedName(o.planName, lang), 64) : '—' },
        amount: money(o.amountMinor),
        status: o.status,
      }),
    );
  }
  const keyboard: InlineKeyboardButton[][] = [];
  if (may.users) {
    keyboard.push([
      c.blocked
        ? btn(t(lang, 'admin.btn.unblock'), AdminCallbacks.blockAsk(c.id, false))
        : btn(t(lang, 'admin.btn.block'), AdminCallbacks.blockAsk(c.id, true)),
      btn(t(lang, 'admin.btn.resend'), AdminCallbacks.resend(c.id)),
    ]);
  }
  if (may.wallet) keyboard.push([btn(t(lang, 'admin.btn.adjust'), AdminCallbacks.adjustAsk(c.id))]);
  if (may.refunds) {
    for (const o of c.orders.slice(0, 5).filter((o) => o.refundable)) {
      const label = t(lang, 'admin.btn.refund', {
        amount: money(o.amountMinor),
        date: formatDateTime(lang, o.createdAt),
      });
      keyboard.push([btn(label, AdminCallbacks.refundAsk(o.id))]);
    }
  }
  keyboard.push([btn(t(lang, 'admin.btn.lookup'), AdminCallbacks.lookup())], homeRow(lang));
  return { text: fit(lines.join('\n')), keyboard };
}

/**
 * Refund one of the customer's orders: what is taken back, then where the money goes (or Cancel).
 * `wholesaleKeptMinor` (the order's wholesale charge, when its refund window is over) adds that the charge does
 * not come back to the shop wallet.
 */
export function refundConfirmScreen(
  lang: Language,
  c: CustomerCard,
  o: CustomerCard['orders'][number],
  wholesaleKeptMinor: number | null = null,
  toWallet = true,
): Screen {
  const text = t(lang, 'admin.refund.confirm', {
    name: { html: plain(displayName(c), 64) },
    plan: { html: o.planName ? plain(localizedName(o.planName, lang), 64) : '—' },
    amount: formatMoney(lang, o.amountMinor, c.currency),
    date: formatDateTime(lang, o.createdAt),
  });
  const kept =
    wholesaleKeptMinor === null
      ? ''
      : '\n\n' +
        t(lang, 'admin.refund.wholesaleKept', {
          wholesale: formatMoney(lang, wholesaleKeptMinor, c.currency),
          hours: String(Math.round(WHOLESALE_REFUND_WINDOW_MS / 3_600_000)),
        });
  return {
    text: text + kept,
    keyboard: [
      [
        // Into the wallet only for a role that may move balance (`wallet`); the use case checks it too.
        ...(toWallet ? [btn(t(lang, 'admin.btn.refundWallet'), AdminCallbacks.refund(o.id, 'wallet'))] : []),
        btn(t(lang, 'admin.btn.refundOffline'), AdminCallbacks.refund(o.id, 'offline')),
      ],
      [btn(t(lang, 'admin.btn.cancel'), AdminCallbacks.user(c.id))],
    ],
  };
}

export function blockConfirmScreen(lang: Language, c: CustomerCard, blocked: boolean): Screen {
  const name = { html: plain(displayName(c), 64) };
  return confirm(
    lang,
    t(lang, blocked ? 'admin.user.confirmBlock' : 'admin.user.confirmUnblock', { name }),
    AdminCallbacks.block(c.id, blocked),
    AdminCallbacks.user(c.id),
  );
}

/** Several customers match: one button each, a page at a time. */
export function lookupResultsScreen(
  lang: Language,
  query: string,
  users: { id: string; telegramId: number; name: string; username: string | null }[],
  total: number,
  page = 1,
): Screen {
  if (!users.length) {
    return {
      text: t(lang, 'admin.lookup.none', { query: { html: plain(query, 64) } }),
      keyboard: [[btn(t(lang, 'admin.btn.lookup'), AdminCallbacks.lookup())], homeRow(lang)],
    };
  }
  return {
    text: t(lang, 'admin.lookup.many', { query: { html: plain(query, 64) }, total }),
    keyboard: [
      ...users.map((u) => [btn(`${displayName(u)} · ${u.telegramId}`, AdminCallbacks.user(u.id))]),
      pager(lang, page, pageCount(total), AdminCallbacks.lookupPage),
      homeRow(lang),
    ].filter((row) => row.length),
  };
}

export function adjustConfirmScreen(
  lang: Language,
  c: CustomerCard,
  amountMinor: number,
  reason: string,
  draft: string,
): Screen {
  const sign = amountMinor > 0 ? '+' : '';
  return confirm(
    lang,
    t(lang, 'admin.adjust.confirm', {
      name: { html: plain(displayName(c), 64) },
      amount: `${sign}${formatMoney(lang, amountMinor, c.currency)}`,
      reason: { html: plain(reason, ADJUST_REASON_MAX) },
      balance: formatMoney(lang, c.balanceMinor, c.currency),
    }),
    AdminCallbacks.adjust(draft),
    AdminCallbacks.user(c.id),
  );
}

const pageCount = (total: number, size = ADMIN_PAGE_SIZE) => Math.max(1, Math.ceil(total / size));

export function plansScreen(lang: Language, plans: PlanView[], page: number): Screen {
  if (!plans.length) return { text: t(lang, 'admin.plans.none'), keyboard: [homeRow(lang)] };
  const pages = pageCount(plans.length);
  const p = Math.min(page, pages);
  const shown = plans.slice((p - 1) * ADMIN_PAGE_SIZE, p * ADMIN_PAGE_SIZE);
  return {
    text: t(lang, 'admin.plans.title', { page: p, pages }),
    keyboard: [
      ...shown.map((plan) => [
        btn(
          `${plan.isActive ? '🟢' : '⚪️'} ${localizedName(plan.name, lang)} · ${formatMoney(lang, plan.priceMinor, plan.currency)}`,
          AdminCallbacks.plan(plan.id),
        ),
      ]),
      pager(lang, p, pages, AdminCallbacks.plans),
      homeRow(lang),
    ].filter((row) => row.length),
  };
}

export function planScreen(lang: Language, plan: PlanView): Screen {
  return {
    text: t(lang, 'admin.plan', {
      name: { html: plain(localizedName(plan.name, lang), 100) },
      price: formatMoney(lang, plan.priceMinor, plan.currency),
      days: plan.periodDays,
      traffic: formatTraffic(lang, plan.trafficLimitGb * 1024 ** 3),
      devices: plan.deviceLimit || '∞',
      state: t(lang, plan.isActive ? 'admin.plan.on' : 'admin.plan.off'),
    }),
    keyboard: [
      [
        plan.isActive
          ? btn(t(lang, 'admin.btn.turnOff'), AdminCallbacks.planToggleAsk(plan.id, false))
          : btn(t(lang, 'admin.btn.turnOn'), AdminCallbacks.planToggleAsk(plan.id, true)),
        btn(t(lang, 'admin.btn.price'), AdminCallbacks.priceAsk(plan.id)),
      ],
      [btn(t(lang, 'admin.btn.plans'), AdminCallbacks.plans(1))],
      homeRow(lang),
    ],
  };
}

export function planToggleConfirmScreen(lang: Language, plan: PlanView, on: boolean): Screen {
  const name = { html: plain(localizedName(plan.name, lang), 100) };
  return confirm(
    lang,
    t(lang, on ? 'admin.plan.confirmOn' : 'admin.plan.confirmOff', { name }),
    AdminCallbacks.planToggle(plan.id, on),
    AdminCallbacks.plan(plan.id),
  );
}

export function priceConfirmScreen(lang: Language, plan: PlanView, priceMinor: number): Screen {
  return confirm(
    lang,
    t(lang, 'admin.price.confirm', {
      name: { html: plain(localizedName(plan.name, lang), 100) },
      old: formatMoney(lang, plan.priceMinor, plan.currency),
      price: formatMoney(lang, priceMinor, plan.currency),
    }),
    AdminCallbacks.price(plan.id, priceMinor),
    AdminCallbacks.plan(plan.id),
  );
}

export function cardsScreen(lang: Language, cards: PaymentCardView[], page: number): Screen {
  if (!cards.length) return { text: t(lang, 'admin.cards.none'), keyboard: [homeRow(lang)] };
  const pages = pageCount(cards.length);
  const p = Math.min(page, pages);
  const shown = cards.slice((p - 1) * ADMIN_PAGE_SIZE, p * ADMIN_PAGE_SIZE);
  return {
    text: t(lang, 'admin.cards.title', { page: p, pages }),
    keyboard: [
      ...shown.map((c) => [
        btn(`${c.isActive ? '🟢' : '⚪️'} ${c.cardNumberMasked} · ${c.cardHolderName}`, AdminCallbacks.card(c.id)),
      ]),
      pager(lang, p, pages, AdminCallbacks.cards),
      homeRow(lang),
    ].filter((row) => row.length),
  };
}

export function cardScreen(lang: Language, c: PaymentCardView): Screen {
  const reviewed = c.successCount + c.failureCount;
  return {
    text: t(lang, 'admin.card', {
      card: c.cardNumberMasked,
      holder: { html: plain(c.cardHolderName, 100) },
      used: formatMoney(lang, c.usedTodayMinor, c.currency),
      limit: {
        html:
          c.dailyLimitMinor === null
            ? ''
            : t(lang, 'admin.card.limit', { limit: formatMoney(lang, c.dailyLimitMinor, c.currency) }),
      },
      rate: reviewed ? `${Math.round((c.successCount / reviewed) * 100)}%` : '—',
      ok: c.successCount,
      all: reviewed,
      state: t(lang, c.isActive ? 'admin.card.on' : 'admin.card.off'),
    }),
    keyboard: [
      [
        c.isActive
          ? btn(t(lang, 'admin.btn.turnOff'), AdminCallbacks.cardToggleAsk(c.id, false))
          : btn(t(lang, 'admin.btn.turnOn'), AdminCallbacks.cardToggleAsk(c.id, true)),
      ],
      [btn(t(lang, 'admin.btn.cards'), AdminCallbacks.cards(1))],
      homeRow(lang),
    ],
  };
}

export function cardToggleConfirmScreen(lang: Language, c: PaymentCardView, on: boolean): Screen {
  return confirm(
    lang,
    t(lang, on ? 'admin.card.confirmOn' : 'admin.card.confirmOff', { card: c.cardNumberMasked }),
    AdminCallbacks.cardToggle(c.id, on),
    AdminCallbacks.card(c.id),
  );
}

const TEXT_LABEL: Record<ShopTextKind, TextKey> = { welcome: 'admin.texts.welcome', support: 'admin.texts.support' };

/** Which text in which of the shop's languages. */
export function textsScreen(lang: Language, languages: readonly Language[]): Screen {
  const kinds: ShopTextKind[] = ['welcome', 'support'];
  return {
    text: t(lang, 'admin.texts.title'),
    keyboard: [
      ...kinds.map((kind) =>
        languages.map((l) =>
          btn(`${t(lang, TEXT_LABEL[kind])} · ${t(l, 'language.name')}`, AdminCallbacks.textAsk(kind, l)),
        ),
      ),
      homeRow(lang),
    ],
  };
}

export function textPromptText(lang: Language, kind: ShopTextKind, textLang: Language): string {
  return t(lang, 'admin.texts.prompt', {
    text: t(lang, TEXT_LABEL[kind]),
    lang: t(textLang, 'language.name'),
    max: SHOP_TEXT_MAX[kind],
  });
}

/** The new text as customers will see it (escaped like the main menu and support screens), then Save. */
export function textPreviewScreen(
  lang: Language,
  kind: ShopTextKind,
  textLang: Language,
  value: string,
  draft: string,
): Screen {
  return {
    text: fit(
      t(lang, 'admin.texts.preview', {
        text: t(lang, TEXT_LABEL[kind]),
        lang: t(textLang, 'language.name'),
        preview: { html: plainBlock(value, SHOP_TEXT_MAX[kind]) },
      }),
    ),
    keyboard: [
      [
        btn(t(lang, 'admin.btn.save'), AdminCallbacks.textSave(draft)),
        btn(t(lang, 'admin.btn.cancel'), AdminCallbacks.texts()),
      ],
    ],
  };
}

/** How many broadcasts the list shows. */
export const BROADCASTS_LISTED = 5;

const bcStatus = (lang: Language, b: Pick<BroadcastEntity, 'status'>): string => t(lang, `admin.bc.status.${b.status}`);
const isLive = (b: Pick<BroadcastEntity, 'status'>): boolean => b.status === 'running' || b.status === 'queued';

/** The latest broadcasts (status, sent of total), a button to each, Cancel under a running one, and New. */
export function broadcastsScreen(lang: Language, items: BroadcastEntity[]): Screen {
  const lines = items.length
    ? [
        t(lang, 'admin.bc.title'),
        ...items.map((b) =>
          t(lang, 'admin.bc.line', {
            ref: broadcastRef(b),
            status: bcStatus(lang, b),
            sent: b.sent,
            total: b.total,
            date: formatDateTime(lang, b.createdAt),
          }),
        ),
      ]
    : [t(lang, 'admin.bc.none')];
  const keyboard: InlineKeyboardButton[][] = [[btn(t(lang, 'admin.btn.bcNew'), AdminCallbacks.broadcastNew())]];
  for (const b of items) {
    const row = [btn(`${broadcastRef(b)} · ${bcStatus(lang, b)}`, AdminCallbacks.broadcast(b.id))];
    if (isLive(b)) row.push(btn(t(lang, 'admin.btn.bcCancel'), AdminCallbacks.broadcastCancel(b.id)));
    keyboard.push(row);
  }
  keyboard.push(homeRow(lang));
  return { text: fit(lines.join('\n')), keyboard };
}

/** The composed message's audience: one button per segment, with how many customers it reaches now. */
export function broadcastAudienceScreen(
  lang: Language,
  draft: string,
  sizes: Readonly<Record<AudienceSegment, number>>,
): Screen {
  return {
    text: t(lang, 'admin.bc.audience'),
    keyboard: [
      ...AUDIENCE_SEGMENTS.map((segment) => [
        btn(
          t(lang, 'admin.bc.segment', {
            segment: broadcastAudienceText(lang, { segment }),
            count: sizes[segment],
          }),
          AdminCallbacks.broadcastAudience(draft, segment),
        ),
      ]),
      [btn(t(lang, 'admin.btn.bcByLanguage'), AdminCallbacks.broadcastLanguages(draft))],
      [btn(t(lang, 'admin.btn.cancel'), AdminCallbacks.broadcasts())],
    ],
  };
}

/**
 * The composed message's audience by language: one button per language the shop offers (named in that language),
 * with how many customers speak it now (a customer without a language of their own speaks the shop's default).
 */
export function broadcastLanguageScreen(
  lang: Language,
  draft: string,
  sizes: readonly (readonly [AudienceLanguage, number])[],
): Screen {
  return {
    text: t(lang, 'admin.bc.languages'),
    keyboard: [
      ...sizes.map(([language, count]) => [
        btn(
          t(lang, 'admin.bc.segment', { segment: t(language, 'language.name'), count }),
          AdminCallbacks.broadcastLanguage(draft, language),
        ),
      ]),
      [
        btn(t(lang, 'admin.btn.bcBack'), AdminCallbacks.broadcastSegments(draft)),
        btn(t(lang, 'admin.btn.cancel'), AdminCallbacks.broadcasts()),
      ],
    ],
  };
}

/**
 * One broadcast. A draft: to how many, whether its preview arrived, Start and Cancel (Start is refused by the
 * domain until the preview arrived). Running: sent of total and Cancel. Ended: its figures.
 */
export function broadcastScreen(lang: Language, v: BroadcastView, audienceSize: number): Screen {
  const b = v.broadcast;
  const vars = { ref: broadcastRef(b), audience: broadcastAudienceText(lang, v.audience), status: bcStatus(lang, b) };
  const refresh = btn(t(lang, 'admin.btn.refresh'), AdminCallbacks.broadcast(b.id));
  const list = [btn(t(lang, 'admin.btn.broadcasts'), AdminCallbacks.broadcasts())];
  if (b.status === 'draft') {
    // A reason first: the preview failed, or the draft waits for its picture from the console.
    const state = b.failure
      ? t(lang, 'admin.bc.previewFailed', { reason: { html: plain(b.failure, 300) } })
      : b.photoAwaited
        ? t(lang, 'admin.bc.photoAwaited')
        : b.previewedAt
          ? t(lang, 'admin.bc.previewReady')
          : t(lang, 'admin.bc.previewWaiting');
    return {
      text: t(lang, 'admin.bc.draft', { ...vars, count: audienceSize, state: { html: state } }),
      keyboard: [
        [
          btn(t(lang, 'admin.btn.bcStart'), AdminCallbacks.broadcastStart(b.id)),
          btn(t(lang, 'admin.btn.bcCancel'), AdminCallbacks.broadcastCancel(b.id)),
        ],
        [refresh],
        list,
      ],
    };
  }
  const p = v.progress;
  if (isLive(b)) {
    return {
      text: t(lang, 'admin.bc.live', { ...vars, sent: p.sent, total: p.total }),
      keyboard: [[btn(t(lang, 'admin.btn.bcCancel'), AdminCallbacks.broadcastCancel(b.id))], [refresh], list],
    };
  }
  const ended = t(lang, 'admin.bc.ended', {
    ...vars,
    sent: p.sent,
    total: p.total,
    failed: p.failed,
    blocked: p.blocked,
  });
  // Why it failed (its token rejected, a draft whose picture never came…): the owner sees it where it is listed.
  const why =
    b.status === 'failed' && b.failure ? t(lang, 'admin.bc.endedWhy', { reason: { html: plain(b.failure, 300) } }) : '';
  return { text: why ? `${ended}\n${why}` : ended, keyboard: [list, homeRow(lang)] };
}

/** Tickets per page of the admins' ticket list. */
export const TICKETS_PAGE_SIZE = 5;
/** Messages of a ticket shown when an admin opens it. */
export const TICKET_MESSAGES_SHOWN = 5;

const TICKET_STATUS: Record<TicketStatus, TextKey> = {
  open: 'ticket.status.open',
  answered: 'ticket.status.answered',
  closed: 'ticket.status.closed',
};

export interface TicketRow {
  ticket: TicketEntity;
  /** The customer's name (or @username, or Telegram id). */
  name: string;
}

/** Open and answered tickets, newest activity first: a button each (#number · name · subject · state), paged. */
export function ticketsScreen(lang: Language, rows: TicketRow[], total: number, page: number): Screen {
  if (!rows.length && page === 1) return { text: t(lang, 'admin.tickets.none'), keyboard: [homeRow(lang)] };
  const label = (r: TicketRow) =>
    htmlToText(
      t(lang, 'admin.tickets.row', {
        number: r.ticket.number,
        name: { html: plain(r.name, 24) },
        subject: { html: plain(r.ticket.subject ?? '—', 30) },
        status: t(lang, TICKET_STATUS[r.ticket.status]),
      }),
    );
  return {
    text: t(lang, 'admin.tickets.title', { total, page, pages: pageCount(total, TICKETS_PAGE_SIZE) }),
    keyboard: [
      ...rows.map((r) => [btn(label(r), AdminCallbacks.ticket(r.ticket.id))]),
      pager(lang, page, pageCount(total, TICKETS_PAGE_SIZE), AdminCallbacks.tickets),
      homeRow(lang),
    ].filter((row) => row.length),
  };
}

/** One ticket for an admin: who, subject, state, its last messages; Answer and Close while it is not closed. */
export function adminTicketScreen(
  lang: Language,
  ticket: TicketEntity,
  customer: { name: string; telegramId: number | null },
  messages: TicketMessageEntity[],
): Screen {
  const head = t(lang, 'admin.ticket.head', {
    number: ticket.number,
    status: t(lang, TICKET_STATUS[ticket.status]),
    subject: { html: plain(ticket.subject ?? '—', 200) },
    name: { html: plain(customer.name, 64) },
    tgId: customer.telegramId ?? '—',
  });
  const body = messages.map((m) => {
    const who = t(lang, m.sender === 'user' ? 'admin.ticket.fromCustomer' : 'admin.ticket.fromShop');
    const photo = m.photoFileId ? t(lang, 'ticket.photo') : '';
    return `${who}\n${[photo, plainBlock(m.text, 600)].filter(Boolean).join(' ')}`;
  });
  const keyboard: InlineKeyboardButton[][] = [];
  if (ticket.status !== 'closed') {
    keyboard.push([
      btn(t(lang, 'admin.btn.ticketAnswer'), AdminCallbacks.ticketAnswerAsk(ticket.id)),
      btn(t(lang, 'admin.btn.ticketClose'), AdminCallbacks.ticketCloseAsk(ticket.id)),
    ]);
  }
  keyboard.push([btn(t(lang, 'admin.btn.tickets'), AdminCallbacks.tickets(1))], homeRow(lang));
  return { text: fit([head, ...body].join('\n\n')), keyboard };
}

export function ticketCloseConfirmScreen(lang: Language, ticket: TicketEntity): Screen {
  return confirm(
    lang,
    t(lang, 'admin.ticket.confirmClose', { number: ticket.number }),
    AdminCallbacks.ticketClose(ticket.id),
    AdminCallbacks.ticket(ticket.id),
  );
}

function confirm(lang: Language, text: string, yes: string, no: string): Screen {
  return {
    text,
    keyboard: [[btn(t(lang, 'admin.btn.confirm'), yes), btn(t(lang, 'admin.btn.cancel'), no)]],
  };
}

function pager(lang: Language, page: number, pages: number, to: (p: number) => string): InlineKeyboardButton[] {
  const row: InlineKeyboardButton[] = [];
  if (page > 1) row.push(btn(t(lang, 'admin.btn.prev'), to(page - 1)));
  if (page < pages) row.push(btn(t(lang, 'admin.btn.next'), to(page + 1)));
  return row;
}
