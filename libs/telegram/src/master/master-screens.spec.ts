import type { WholesalePriceView } from '@botfleet/billing';
import { LANGUAGES } from '@botfleet/catalog';
import type {
  InviteView,
  OperatorAuditView,
  PanelView,
  PeriodStats,
  PlatformStats,
  TenantCard,
} from '@botfleet/operator';
import { checkKeyboard, checkTelegramHtml, HOSTILE_CASES } from '@botfleet/testing';
import type { Screen } from '../context/bot-context';
import { TELEGRAM_LIMITS } from '../text/html';
import { MasterCallbackData as CB } from './master-callbacks';
import {
  auditScreen,
  confirmScreen,
  doneScreen,
  featuresScreen,
  inviteCreatedScreen,
  invitesScreen,
  masterHomeScreen,
  operatorAlertText,
  ownerStatusNoticeText,
  panelsScreen,
  priceScreen,
  promptScreen,
  statsScreen,
  suspendConfirmText,
  tenantCardScreen,
  tenantsScreen,
} from './master-screens';
import { translate } from '../i18n/translate';

const ID = '2f0c1d9e-8a7b-4c6d-9e5f-1a2b3c4d5e6f';

function checkScreen(screen: Screen): string {
  checkKeyboard(screen.keyboard as { text: string }[][] | undefined);
  for (const b of (screen.keyboard ?? []).flat()) {
    if (b && 'callback_data' in b) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
  }
  return checkTelegramHtml(screen.text, TELEGRAM_LIMITS.messageText);
}

/** The operator's screens (libs/telegram/src/master) with every hostile string where a tenant or panel put text. */
describe.each(HOSTILE_CASES)('hostile text "%s" on the master bot screens', (_name, hostile) => {
  const card: TenantCard = {
    id: ID,
    name: hostile,
    telegramUsername: 'shop_bot',
    status: 'suspended',
    ownerTelegramId: 42,
    defaultLanguage: 'fa',
    currency: 'IRR',
    walletBalanceMinor: 100,
    walletHeldMinor: 300,
    trafficSoldBytes: 5 * 1024 ** 3,
    trafficConsumedBytes: 1024 ** 2,
    salesCount: 3,
    revenueMinor: 1_500_000,
    lastActivityAt: new Date('2026-11-29T10:00:00Z'),
    createdAt: new Date('2026-01-01T00:00:00Z'),
  };
  const panel: PanelView = {
    id: ID,
    name: hostile,
    type: 'remnawave',
    baseUrl: 'https://panel.example',
    hasCredentials: true,
    settings: {},
    location: hostile,
    capacity: 100,
    activeUsers: 7,
    isActive: true,
    lastHealthAt: '2026-11-29T10:00:00.000Z',
    lastHealthOk: false,
    createdAt: '2026-11-29T10:00:00.000Z',
    updatedAt: '2026-11-29T10:00:00.000Z',
  };
  const invite: InviteView = {
    id: ID,
    code: 'inv_AbCdEfGhIjKlMnOpQrStUvWx',
    note: hostile,
    state: 'active',
    expiresAt: null,
    usedAt: null,
    usedByBotId: null,
    revokedAt: null,
    createdBy: 'master:master',
    createdAt: '2026-11-29T10:00:00.000Z',
  };
  const stats: PeriodStats = {
    since: new Date('2026-11-29T00:00:00Z'),
    tenants: { total: 3, active: 2, suspended: 1, created: 1 },
    sales: [
      { currency: 'IRR', orders: 2, revenueMinor: 1_000_000 },
      { currency: 'USD', orders: 1, revenueMinor: 999 },
    ],
    trafficSoldBytes: 10 * 1024 ** 3,
    newUsers: 4,
  };
  const totals = {
    wallets: [{ currency: 'IRR', balanceMinor: 10, heldMinor: 5 }],
  } as PlatformStats;

  it.each(LANGUAGES)('every screen is valid Telegram HTML with safe buttons (%s)', (lang) => {
    checkScreen(masterHomeScreen(lang));
    const page = {
      items: [{ id: ID, name: hostile, telegramUsername: 'shop_bot', status: 'active' }],
      total: 30,
      page: 2,
      pageSize: 8,
    };
    checkScreen(tenantsScreen(lang, page, hostile));
    checkScreen(tenantsScreen(lang, { ...page, items: [], total: 0, page: 1 }, null));
    checkScreen(tenantCardScreen(lang, card));
    checkScreen(tenantCardScreen(lang, { ...card, status: 'active', lastActivityAt: null }));
    checkScreen(promptScreen(lang, translate(lang, 'ms.suspend.ask', { name: hostile }), CB.card(ID)));
    checkScreen(
      confirmScreen(lang, suspendConfirmText(lang, hostile, hostile.repeat(40)), CB.suspendConfirm(ID), CB.card(ID)),
    );
    checkScreen(doneScreen(lang, translate(lang, 'ms.suspend.done', { name: hostile }), CB.card(ID)));
    checkScreen(
      priceScreen(lang, card, {
        perPlanMinor: 1,
        perGbMinor: 2,
        perDayMinor: 3,
        unlimitedTrafficGb: 4,
        updatedAt: null,
      } as WholesalePriceView),
    );
    checkScreen(
      featuresScreen(lang, card, [
        { key: 'zarinpal', allowed: true },
        { key: 'wallet', allowed: false },
      ]),
    );
    checkScreen(
      invitesScreen(lang, { items: [invite, { ...invite, state: 'used' }], total: 12, page: 1, pageSize: 8 }),
    );
    checkScreen(inviteCreatedScreen(lang, invite, 'https://api.example/'));
    checkScreen(
      panelsScreen(lang, [
        panel,
        { ...panel, isActive: false, lastHealthAt: null, lastHealthOk: null, location: null },
      ]),
    );
    checkScreen(panelsScreen(lang, []));
    for (const period of ['today', '7d', '30d'] as const) checkScreen(statsScreen(lang, period, stats, totals));
    checkScreen(statsScreen(lang, 'today', { ...stats, sales: [] }, totals));
    const entry: OperatorAuditView = {
      id: '1',
      actor: 'master:tg:42',
      action: 'wallet.top_up',
      targetType: 'tenant_wallet_ledger',
      targetId: ID,
      bot: { id: ID, name: hostile },
      before: null,
      after: null,
      createdAt: '2026-11-29T10:00:00.000Z',
    };
    const tenEntries = Array.from({ length: 10 }, (_, i) => ({ ...entry, id: String(i) }));
    const audit = checkScreen(auditScreen(lang, [...tenEntries, { ...entry, bot: { id: ID, name: null } }]));
    expect(audit).toContain('wallet.top_up');
    checkScreen(auditScreen(lang, [{ ...entry, bot: null }]));
    checkScreen(auditScreen(lang, []));
  });

  it.each(LANGUAGES)('alerts and the owner notices are valid Telegram HTML (%s)', (lang) => {
    checkTelegramHtml(
      operatorAlertText(lang, {
        kind: 'wallet_low',
        botId: ID,
        botUsername: 'shop_bot',
        freeMinor: -5,
        currency: 'IRR',
        thresholdMinor: 100_000,
      }),
    );
    checkTelegramHtml(
      operatorAlertText(lang, { kind: 'panel_down', panelId: ID, panelName: hostile, reason: 'PANEL_UNAVAILABLE' }),
    );
    checkTelegramHtml(
      operatorAlertText(lang, { kind: 'provisioning_failed', botId: ID, botUsername: 'shop_bot', subscriptionId: ID }),
    );
    checkTelegramHtml(
      operatorAlertText(lang, { kind: 'token_revoked', botId: ID, botUsername: 'shop_bot', tokenHash: 'ab' }),
    );
    checkTelegramHtml(ownerStatusNoticeText(lang, 'suspended', 'shop_bot', hostile.repeat(30)));
    checkTelegramHtml(ownerStatusNoticeText(lang, 'resumed', 'shop_bot'));
  });
});

describe('auditScreen', () => {
  const entry = (over: Partial<OperatorAuditView>): OperatorAuditView => ({
    id: '1',
    actor: 'master:master',
    action: 'panel.created',
    targetType: 'vpn_panel',
    targetId: ID,
    bot: null,
    before: null,
    after: null,
    createdAt: '2026-11-29T10:00:00.000Z',
    ...over,
  });

  it('one line per entry, in the order given (newest first), with the action, who and the tenant', () => {
    const text = auditScreen('en', [
      entry({ action: 'wallet.top_up', actor: 'master:tg:515151', bot: { id: ID, name: 'Night <Owl> VPN' } }),
      entry({}),
    ]).text;
    expect(text).toContain('Audit log');
    const lines = text.split('\n');
    const topUp = lines.findIndex((l) => l.includes('<code>wallet.top_up</code>'));
    const panel = lines.findIndex((l) => l.includes('<code>panel.created</code>'));
    expect(topUp).toBeGreaterThan(0);
    expect(panel).toBeGreaterThan(topUp);
    expect(lines[topUp]).toContain('master:tg:515151');
    expect(lines[topUp]).toContain('Night &lt;Owl&gt; VPN');
    expect(lines[panel]).toContain('master:master');
  });

  it('in Persian, the title and the Solar Hijri date; nothing yet says so', () => {
    const fa = auditScreen('fa', [entry({})]).text;
    expect(fa).toContain('گزارش رویدادها');
    expect(fa).toMatch(/۱۴۰۵/);
    expect(auditScreen('ru', []).text).toContain('Пока ничего не записано');
    expect(auditScreen('en', []).text).toContain('Nothing recorded yet');
  });
});
