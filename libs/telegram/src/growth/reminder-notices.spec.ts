import type { Language } from '@botfleet/catalog';
import { checkKeyboard, checkTelegramHtml, HOSTILE_CASES } from '@botfleet/testing';
import { translate } from '../i18n/translate';
import { subscriptionsScreen } from '../screens/subscriptions.screen';
import { SaleCallbacks } from '../sales/sale-callbacks';
import { plain, TELEGRAM_LIMITS } from '../text/html';
import { parseAutoRenewCallback, AutoRenewCallbacks } from './auto-renew-callbacks';
import { autoRenewShortScreen, reminderScreen } from './reminder-notices';

const LANGS: Language[] = ['en', 'fa', 'ru'];
const SUB = '0b9f6a4e-6a3c-4a8e-9d2b-3c1f0e7a5b21';
const PLAN = '6f1c1b6e-3a55-4d39-9c40-1f1e5b0f8a11';
const END = new Date('2026-12-01T10:00:00Z');
const reminder = (kind: 'expiring' | 'expired' | 'traffic', isTrial = false) => ({
  kind,
  days: 3,
  percent: 80,
  planId: PLAN,
  isTrial,
  subscriptionId: SUB,
});

describe.each(HOSTILE_CASES)('hostile text "%s" on the growth screens', (_name, hostile) => {
  const name = { en: hostile, fa: hostile, ru: hostile };
  it.each(LANGS)('reminders (ours and the tenant’s own text) and the auto-renew notice in %s', (lang) => {
    for (const kind of ['expiring', 'expired', 'traffic'] as const) {
      for (const texts of [{}, { [kind]: name }]) {
        const s = reminderScreen(lang, reminder(kind), name, END, { texts }, true);
        checkKeyboard(s.keyboard);
        checkTelegramHtml(s.text, TELEGRAM_LIMITS.messageText);
      }
    }
    const short = autoRenewShortScreen(lang, name, END, { balanceMinor: 10, requiredMinor: 5_000, currency: 'IRR' });
    checkKeyboard(short.keyboard);
    checkTelegramHtml(short.text);
    const started = translate(lang, 'trial.started', { plan: { html: plain(hostile, 64) } });
    checkTelegramHtml(started);
  });

  it('the subscriptions screen with the auto-renew toggles', () => {
    for (const lang of LANGS) {
      const s = subscriptionsScreen(
        lang,
        [0, 1].map((i) => ({
          id: SUB,
          status: 'active' as const,
          planName: name,
          planId: PLAN,
          subscriptionUrl: `https://sub.example/${i}`,
          startsAt: END,
          expiresAt: END,
          trafficLimitBytes: 10,
          trafficUsedBytes: 5,
          deviceLimit: 1,
          isTrial: false,
          autoRenew: i === 1,
        })),
        true,
        true,
      );
      checkKeyboard(s.keyboard);
      checkTelegramHtml(s.text);
      expect(s.keyboard!.flat().map((b) => (b as { callback_data?: string }).callback_data)).toEqual(
        expect.arrayContaining([AutoRenewCallbacks.set(SUB, true), AutoRenewCallbacks.set(SUB, false)]),
      );
    }
  });
});

describe('growth buttons', () => {
  it('a reminder renews its own subscription, a trial offers /buy, no button when nothing sells', () => {
    const own = reminderScreen('en', reminder('expiring'), { en: 'Gold' }, END, { texts: {} }, true);
    expect(own.keyboard).toEqual([[{ text: '🔄 Renew', callback_data: SaleCallbacks.renew(PLAN, SUB) }]]);
    expect(own.text).toContain('ends in 3 day');
    const trial = reminderScreen('en', reminder('expired', true), { en: 'T' }, END, { texts: {} }, true);
    expect(trial.keyboard).toEqual([[{ text: '🛒 Buy a subscription', callback_data: 'menu:buy' }]]);
    expect(reminderScreen('en', reminder('traffic'), {}, END, { texts: {} }, false).keyboard).toEqual([]);
  });

  it("the tenant's text is escaped and its placeholders filled", () => {
    const s = reminderScreen(
      'en',
      reminder('traffic'),
      { en: '<Gold>' },
      END,
      { texts: { traffic: { en: '{percent}% of <{plan}> used; {unknown}' } } },
      true,
    );
    expect(s.text).toBe('80% of &lt;&lt;Gold&gt;&gt; used; {unknown}');
  });

  it('the top-up button asks for what the wallet lacks', () => {
    const s = autoRenewShortScreen('en', { en: 'Gold' }, END, {
      balanceMinor: 300,
      requiredMinor: 1_000,
      currency: 'IRR',
    });
    expect(s.keyboard!.flat().map((b) => (b as { callback_data?: string }).callback_data)).toEqual(['wt:m:700']);
    const limited = (minMinor: number, maxMinor: number) =>
      autoRenewShortScreen(
        'en',
        { en: 'Gold' },
        END,
        { balanceMinor: 300, requiredMinor: 1_000, currency: 'IRR' },
        {
          minMinor,
          maxMinor,
        },
      ).keyboard!.flat()[0] as { callback_data?: string };
    expect(limited(5_000, 100_000).callback_data).toBe('wt:m:5000');
    expect(limited(1, 500).callback_data).toBe('wt:m:500');
  });

  it('auto-renew callbacks are parsed strictly', () => {
    expect(parseAutoRenewCallback(AutoRenewCallbacks.set(SUB, true))).toEqual({ subscriptionId: SUB, on: true });
    expect(parseAutoRenewCallback(AutoRenewCallbacks.set(SUB, false))).toEqual({ subscriptionId: SUB, on: false });
    for (const bad of [
      undefined,
      '',
      'ar:2:' + AutoRenewCallbacks.set(SUB, true).slice(5),
      'ar:1:short',
      'ar:1',
      `${AutoRenewCallbacks.set(SUB, true)}:x`,
      'xar:1:AAAAAAAAAAAAAAAAAAAAAA',
    ]) {
      expect(parseAutoRenewCallback(bad)).toBeNull();
    }
  });
});

describe('a tenant text that repeats {plan}', () => {
  it('still fits one message', () => {
    const plan = { en: '<'.repeat(64) };
    const s = reminderScreen(
      'en',
      reminder('expired'),
      plan,
      END,
      { texts: { expired: { en: '{plan}'.repeat(160) } } },
      true,
    );
    expect(checkTelegramHtml(s.text).length).toBeLessThanOrEqual(TELEGRAM_LIMITS.messageText);
  });
});
