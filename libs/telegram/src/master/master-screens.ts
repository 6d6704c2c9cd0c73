import type { InlineKeyboardButton } from 'telegraf/types';
import type { Language } from '@botfleet/catalog';
import type { WholesalePriceView } from '@botfleet/billing';
import type { Page } from '@botfleet/common';
import type {
  InviteView,
  OperatorAlert,
  OperatorAuditView,
  PanelView,
  PeriodStats,
  PlatformStats,
  StatsPeriod,
  TenantCard,
  TenantListItem,
} from '@botfleet/operator';
import type { Screen } from '../context/bot-context';
import { TextKey } from '../i18n/texts';
import { translate } from '../i18n/translate';
import { formatMoney } from '../sales/sale-format';
import { formatDateTime, formatTraffic } from '../screens/subscription-format';
import { buttonLabel, fitHtml, fitLabel, plain, TELEGRAM_LIMITS } from '../text/html';
import { cleanText, isolateDirection } from '../text/sanitize';
import { consoleLinkButton } from '../admin/console-link';
import { MasterCallbackData as CB } from './master-callbacks';

/** What the screens need of a feature row: its key and whether the operator allows it. */
export interface FeatureAllowance {
  key: string;
  allowed: boolean;
}

const STATUS_KEYS: Record<string, TextKey> = {
  active: 'ms.status.active',
  paused: 'ms.status.paused',
  suspended: 'ms.status.suspended',
  token_invalid: 'ms.status.token_invalid',
  deleted: 'ms.status.deleted',
};

const status = (lang: Language, s: string): string => translate(lang, STATUS_KEYS[s] ?? 'ms.status.active');
const statusMark = (lang: Language, s: string): string => status(lang, s).split(' ')[0];
const btn = (text: string, data: string): InlineKeyboardButton => ({ text: fitLabel(text), callback_data: data });
const t = translate;
/** A name or username from a tenant: cleaned, clipped, escaped and direction-isolated for a line of HTML. */
const name = (s: string, max = 64) => ({ html: plain(s, max) || '—' });
const labelPart = (s: string) =>
  isolateDirection(Array.from(cleanText(s).replace(/\s+/g, ' ').trim()).slice(0, 40).join(''));
const pages = (p: Page<unknown>) => Math.max(1, Math.ceil(p.total / p.pageSize));
const fit = (text: string) => fitHtml(text, TELEGRAM_LIMITS.messageText);

function pager(p: Page<unknown>, data: (page: number) => string, lang: Language): InlineKeyboardButton[] {
  const row: InlineKeyboardButton[] = [];
  if (p.page > 1) row.push(btn(t(lang, 'ms.btn.prev'), data(p.page - 1)));
  if (p.page < pages(p)) row.push(btn(t(lang, 'ms.btn.next'), data(p.page + 1)));
  return row;
}

const menuRow = (lang: Language): InlineKeyboardButton[] => [btn(t(lang, 'ms.btn.menu'), CB.home())];

/** The console's home: the operator's commands and a button for each section. */
export function masterHomeScreen(lang: Language): Screen {
  return {
    text: t(lang, 'ms.help'),
    keyboard: [
      [btn(t(lang, 'ms.btn.tenants'), CB.tenants(1)), btn(t(lang, 'ms.btn.invites'), CB.invites(1))],
      [btn(t(lang, 'ms.btn.panels'), CB.panels()), btn(t(lang, 'ms.btn.stats'), CB.stats('today'))],
      [consoleLinkButton(lang)],
    ],
  };
}

export function tenantsScreen(lang: Language, page: Page<TenantListItem>, search: string | null): Screen {
  const lines = [t(lang, 'ms.tenants.title', { total: page.total, page: page.page, pages: pages(page) })];
  if (search) lines.push(t(lang, 'ms.tenants.search', { query: name(search, 64) }));
  if (!page.items.length) lines.push('', t(lang, 'ms.tenants.none'));
  const keyboard: InlineKeyboardButton[][] = page.items.map((b) => [
    {
      text: buttonLabel(`${statusMark(lang, b.status)} ${b.name} @${b.telegramUsername}`),
      callback_data: CB.card(b.id),
    },
  ]);
  const nav = pager(page, (n) => CB.tenants(n, !!search), lang);
  if (nav.length) keyboard.push(nav);
  keyboard.push(
    search
      ? [btn(t(lang, 'ms.btn.search'), CB.searchAsk()), btn(t(lang, 'ms.btn.clearSearch'), CB.tenants(1))]
      : [btn(t(lang, 'ms.btn.search'), CB.searchAsk())],
  );
  keyboard.push(menuRow(lang));
  return { text: fit(lines.join('\n')), keyboard };
}

export function tenantCardScreen(lang: Language, c: TenantCard): Screen {
  const money = (minor: number) => formatMoney(lang, minor, c.currency);
  const lines = [
    t(lang, 'ms.card.title', { name: name(c.name, 100), username: c.telegramUsername }),
    t(lang, 'ms.card.status', { status: status(lang, c.status) }),
    t(lang, 'ms.card.owner', { owner: c.ownerTelegramId }),
    t(lang, 'ms.card.id', { id: c.id }),
    t(lang, 'ms.card.wallet', {
      free: money(c.walletBalanceMinor - c.walletHeldMinor),
      held: money(c.walletHeldMinor),
    }),
    t(lang, 'ms.card.sales', { count: c.salesCount, revenue: money(c.revenueMinor) }),
    t(lang, 'ms.card.traffic', {
      sold: formatTraffic(lang, c.trafficSoldBytes, false),
      consumed: formatTraffic(lang, c.trafficConsumedBytes, false),
    }),
    t(lang, 'ms.card.activity', {
      at: c.lastActivityAt ? formatDateTime(lang, c.lastActivityAt) : t(lang, 'ms.card.never'),
    }),
  ];
  const lever =
    c.status === 'suspended'
      ? btn(t(lang, 'ms.btn.resume'), CB.resumeAsk(c.id))
      : btn(t(lang, 'ms.btn.suspend'), CB.suspendAsk(c.id));
  return {
    text: fit(lines.join('\n')),
    keyboard: [
      [lever, btn(t(lang, 'ms.btn.topUp'), CB.topUpAsk(c.id))],
      [btn(t(lang, 'ms.btn.adjust'), CB.adjustAsk(c.id))],
      [btn(t(lang, 'ms.btn.price'), CB.price(c.id)), btn(t(lang, 'ms.btn.features'), CB.features(c.id))],
      [btn(t(lang, 'ms.btn.refresh'), CB.card(c.id)), btn(t(lang, 'ms.btn.back'), CB.tenants(1))],
    ],
  };
}

/** A question waiting for typed input, with a button to give up. */
export function promptScreen(lang: Language, text: string, backData: string): Screen {
  return { text: fit(text), keyboard: [[btn(t(lang, 'ms.btn.cancel'), backData)]] };
}

/** A yes / no question: Confirm runs `confirmData`, Cancel goes to `backData`. */
export function confirmScreen(lang: Language, text: string, confirmData: string, backData: string): Screen {
  return {
    text: fit(text),
    keyboard: [[btn(t(lang, 'ms.btn.confirm'), confirmData), btn(t(lang, 'ms.btn.cancel'), backData)]],
  };
}

/** A result line under which the card (or list) it came from can be opened again. */
export function doneScreen(lang: Language, text: string, backData: string): Screen {
  return { text: fit(text), keyboard: [[btn(t(lang, 'ms.btn.back'), backData)], menuRow(lang)] };
}

export function suspendConfirmText(lang: Language, tenant: string, reason: string): string {
  return t(lang, 'ms.suspend.confirm', { name: name(tenant, 100), reason: name(reason, 300) });
}

export function priceScreen(lang: Language, tenant: TenantCard, price: WholesalePriceView): Screen {
  const money = (minor: number) => formatMoney(lang, minor, tenant.currency);
  return {
    text: t(lang, 'ms.price.show', {
      name: name(tenant.name, 100),
      perPlan: money(price.perPlanMinor),
      perGb: money(price.perGbMinor),
      perDay: money(price.perDayMinor),
      unlimitedGb: price.unlimitedTrafficGb,
    }),
    keyboard: [
      [btn(t(lang, 'ms.btn.price'), CB.priceAsk(tenant.id))],
      [btn(t(lang, 'ms.btn.back'), CB.card(tenant.id))],
    ],
  };
}

export function featuresScreen(lang: Language, tenant: TenantCard, features: FeatureAllowance[]): Screen {
  const keyboard: InlineKeyboardButton[][] = features.map((f, i) => [
    btn(
      t(lang, 'ms.btn.feature', { mark: f.allowed ? '✅' : '🚫', key: f.key }),
      CB.featureToggle(tenant.id, i, !f.allowed),
    ),
  ]);
  keyboard.push([btn(t(lang, 'ms.btn.back'), CB.card(tenant.id))]);
  return { text: t(lang, 'ms.features.title', { name: name(tenant.name, 100) }), keyboard };
}

const INVITE_STATE: Record<InviteView['state'], TextKey> = {
  active: 'ms.invites.state.active',
  used: 'ms.invites.state.used',
  revoked: 'ms.invites.state.revoked',
  expired: 'ms.invites.state.expired',
};

export function invitesScreen(lang: Language, page: Page<InviteView>): Screen {
  const lines = [t(lang, 'ms.invites.title', { total: page.total, page: page.page, pages: pages(page) }), ''];
  if (!page.items.length) lines.push(t(lang, 'ms.invites.none'));
  for (const i of page.items) {
    lines.push(t(lang, 'ms.invites.item', { code: i.code, state: t(lang, INVITE_STATE[i.state]) }));
  }
  const keyboard: InlineKeyboardButton[][] = page.items
    .filter((i) => i.state === 'active')
    .map((i) => [btn(t(lang, 'ms.btn.revoke', { code: i.code.slice(0, 12) }), CB.inviteRevokeAsk(i.id))]);
  const nav = pager(page, (n) => CB.invites(n), lang);
  if (nav.length) keyboard.push(nav);
  keyboard.push([btn(t(lang, 'ms.btn.createInvite'), CB.inviteCreate())], menuRow(lang));
  return { text: fit(lines.join('\n')), keyboard };
}

export function inviteCreatedScreen(lang: Language, invite: InviteView, apiBaseUrl: string): Screen {
  return {
    text: t(lang, 'ms.invites.created', { code: invite.code, api: apiBaseUrl.replace(/\/+$/, '') }),
    keyboard: [[btn(t(lang, 'ms.btn.back'), CB.invites(1))], menuRow(lang)],
  };
}

export function panelsScreen(lang: Language, panels: PanelView[]): Screen {
  const lines = [t(lang, 'ms.panels.title', { total: panels.length }), ''];
  if (!panels.length) lines.push(t(lang, 'ms.panels.none'));
  for (const p of panels) {
    const at = p.lastHealthAt ? formatDateTime(lang, new Date(p.lastHealthAt)) : '';
    const health =
      p.lastHealthOk === null || !p.lastHealthAt
        ? t(lang, 'ms.panels.healthUnknown')
        : t(lang, p.lastHealthOk ? 'ms.panels.healthOk' : 'ms.panels.healthDown', { at });
    lines.push(
      t(lang, 'ms.panels.item', {
        state: t(lang, p.isActive ? 'ms.panels.active' : 'ms.panels.paused'),
        name: name(p.name, 64),
        type: p.type,
        location: p.location ? name(p.location, 32) : t(lang, 'ms.panels.noLocation'),
        health,
        load: p.activeUsers,
        capacity: p.capacity,
      }),
    );
  }
  const keyboard: InlineKeyboardButton[][] = panels.map((p) => [
    {
      // A label is plain text: the name goes in cleaned and isolated, not escaped.
      text: fitLabel(t(lang, p.isActive ? 'ms.btn.pause' : 'ms.btn.unpause', { name: { html: labelPart(p.name) } })),
      callback_data: p.isActive ? CB.panelPause(p.id) : CB.panelResume(p.id),
    },
  ]);
  keyboard.push([btn(t(lang, 'ms.btn.refresh'), CB.panels())], menuRow(lang));
  return { text: fit(lines.join('\n')), keyboard };
}

const PERIOD_KEYS: Record<StatsPeriod, TextKey> = {
  today: 'ms.stats.period.today',
  '7d': 'ms.stats.period.7d',
  '30d': 'ms.stats.period.30d',
};

export function statsScreen(lang: Language, period: StatsPeriod, s: PeriodStats, totals: PlatformStats): Screen {
  const lines = [
    t(lang, 'ms.stats.title', { period: t(lang, PERIOD_KEYS[period]) }),
    '',
    t(lang, 'ms.stats.tenants', s.tenants),
    t(lang, 'ms.stats.users', { users: s.newUsers }),
  ];
  if (!s.sales.length) lines.push(t(lang, 'ms.stats.salesNone'));
  for (const row of s.sales) {
    lines.push(
      t(lang, 'ms.stats.sales', {
        currency: row.currency,
        orders: row.orders,
        revenue: formatMoney(lang, row.revenueMinor, row.currency),
      }),
    );
  }
  lines.push(t(lang, 'ms.stats.traffic', { traffic: formatTraffic(lang, s.trafficSoldBytes, false) }));
  for (const w of totals.wallets) {
    lines.push(
      t(lang, 'ms.stats.wallets', {
        currency: w.currency,
        balance: formatMoney(lang, w.balanceMinor, w.currency),
        held: formatMoney(lang, w.heldMinor, w.currency),
      }),
    );
  }
  const mark = (p: StatsPeriod, key: TextKey) => btn((p === period ? '• ' : '') + t(lang, key), CB.stats(p));
  return {
    text: fit(lines.join('\n')),
    keyboard: [[mark('today', 'ms.btn.today'), mark('7d', 'ms.btn.week'), mark('30d', 'ms.btn.month')], menuRow(lang)],
  };
}

/** `/audit`: the newest entries of the operator's audit log, one line each (the console has the whole log). */
export function auditScreen(lang: Language, entries: OperatorAuditView[]): Screen {
  if (!entries.length) return { text: t(lang, 'ms.audit.empty'), keyboard: [menuRow(lang)] };
  const lines = [t(lang, 'ms.audit.title', { count: entries.length }), ''];
  for (const e of entries) {
    const parts = { when: formatDateTime(lang, new Date(e.createdAt)), action: e.action, actor: e.actor };
    lines.push(
      e.bot
        ? t(lang, 'ms.audit.lineBot', { ...parts, bot: name(e.bot.name ?? e.bot.id.slice(0, 8), 64) })
        : t(lang, 'ms.audit.line', parts),
    );
  }
  lines.push('', t(lang, 'ms.audit.more'));
  return { text: fit(lines.join('\n')), keyboard: [menuRow(lang)] };
}

/** The message an operator alert sends to a master admin. */
export function operatorAlertText(lang: Language, alert: OperatorAlert): string {
  switch (alert.kind) {
    case 'wallet_low':
      return t(lang, 'ms.alert.walletLow', {
        bot: alert.botUsername,
        free: formatMoney(lang, alert.freeMinor, alert.currency),
        threshold: formatMoney(lang, alert.thresholdMinor, alert.currency),
      });
    case 'panel_down':
      return t(lang, 'ms.alert.panelDown', { panel: name(alert.panelName, 64), reason: alert.reason });
    case 'provisioning_failed':
      return t(lang, 'ms.alert.provisioningFailed', { bot: alert.botUsername, subscription: alert.subscriptionId });
    case 'switch_off_failed':
      return alert.orderId
        ? t(lang, 'ms.alert.takeBackFailed', {
            bot: alert.botUsername,
            subscription: alert.subscriptionId,
            order: alert.orderId,
          })
        : t(lang, 'ms.alert.switchOffFailed', { bot: alert.botUsername, subscription: alert.subscriptionId });
    case 'token_revoked':
      return t(lang, 'ms.alert.tokenRevoked', { bot: alert.botUsername });
  }
}

/** What a tenant's owner reads in their own bot when the operator suspends or resumes it. */
export function ownerStatusNoticeText(
  lang: Language,
  kind: 'suspended' | 'resumed',
  botUsername: string,
  reason?: string | number,
): string {
  if (kind === 'resumed') return t(lang, 'owner.resumed', { bot: `@${botUsername}` });
  return t(lang, 'owner.suspended', { bot: `@${botUsername}`, reason: name(String(reason ?? '—'), 300) });
}
