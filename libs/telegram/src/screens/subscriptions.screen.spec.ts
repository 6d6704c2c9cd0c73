import type { SubscriptionView } from '@botfleet/provisioning';
import { CAPTION_LIMIT, subscriptionDeliveryText, subscriptionQrPng } from './subscription-delivery';
import { CallbackData, parseCallbackData } from './callback-data';
import { subscriptionsScreen } from './subscriptions.screen';

const GiB = 1024 ** 3;

const view = (over: Partial<SubscriptionView> = {}): SubscriptionView => ({
  id: '6f1c1b6e-3a55-4d39-9c40-1f1e5b0f8a11',
  status: 'active',
  planName: { en: 'Monthly 50', fa: 'ماهانه ۵۰' },
  planId: '0b7f0c9e-1d2a-4c3b-8e4f-5a6b7c8d9e0f',
  subscriptionUrl: 'https://panel.example.com/api/sub/AbC123?x=1&y=2',
  startsAt: new Date('2026-01-01T00:00:00Z'),
  expiresAt: new Date('2026-01-31T12:00:00Z'),
  trafficLimitBytes: 50 * GiB,
  trafficUsedBytes: Math.round(3.5 * GiB),
  deviceLimit: 2,
  isTrial: false,
  ...over,
});

describe('subscription delivery message', () => {
  it('puts the escaped link in tap-to-copy code with the expiry, traffic and devices', () => {
    const text = subscriptionDeliveryText('en', view(), false);
    expect(text).toContain('<code>https://panel.example.com/api/sub/AbC123?x=1&amp;y=2</code>');
    expect(text).toContain('Your subscription is ready');
    expect(text).toContain('31 Jan 2026');
    expect(text).toContain('50 GB');
    expect(text).toContain('Devices: 2');
    expect(text.length).toBeLessThanOrEqual(CAPTION_LIMIT);
  });

  it('says unlimited for a 0 limit, renewed for a renewal, and speaks the user language', () => {
    const text = subscriptionDeliveryText('fa', view({ trafficLimitBytes: 0, deviceLimit: 0 }), true);
    expect(text).toContain('تمدید شد');
    expect(text).toContain('حجم: نامحدود');
    expect(subscriptionDeliveryText('ru', view(), false)).toContain('Ваша подписка готова');
  });

  it('cannot be broken by markup in a link the panel returned', () => {
    const text = subscriptionDeliveryText(
      'en',
      view({ subscriptionUrl: 'https://x.example/</code><a href="evil">' }),
      false,
    );
    expect(text).toContain('&lt;/code&gt;&lt;a href=&quot;evil&quot;&gt;');
    expect(text).not.toContain('<a href');
  });

  it('renders the link as a PNG QR code', async () => {
    const png = await subscriptionQrPng(view().subscriptionUrl!);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.length).toBeGreaterThan(500);
  });
});

describe('/subs screen', () => {
  it('lists each subscription with status, usage, expiry and (while active) the link', () => {
    const screen = subscriptionsScreen('en', [
      view(),
      view({ status: 'expired', planName: {}, subscriptionUrl: 'https://old.example/s', trafficLimitBytes: 0 }),
    ]);
    expect(screen.text).toContain('<b>1. Monthly 50</b> — 🟢 active');
    expect(screen.text).toContain('3.5 GB of 50 GB');
    expect(screen.text).toContain('<code>https://panel.example.com/api/sub/AbC123?x=1&amp;y=2</code>');
    expect(screen.text).toContain('<b>2. Subscription</b> — 🔴 expired');
    expect(screen.text).toContain('unlimited');
    expect(screen.text).not.toContain('old.example');
    expect(screen.keyboard).toEqual([
      [{ text: '🔳 QR code #1', callback_data: CallbackData.subscriptionQr(view().id) }],
      [{ text: '« Back to menu', callback_data: 'menu:home' }],
    ]);
    expect(parseCallbackData(CallbackData.subscriptionQr(view().id))).toEqual({
      kind: 'subscriptionQr',
      subscriptionId: view().id,
    });
  });

  it('lists a paid subscription being prepared as such, without link or QR button', () => {
    const screen = subscriptionsScreen('en', [view({ status: 'pending', subscriptionUrl: null, expiresAt: null })]);
    expect(screen.text).toContain('<b>1. Monthly 50</b> — ⏳ being prepared');
    expect(screen.text).toContain('being prepared and will arrive here shortly');
    expect(screen.text).not.toContain('no subscriptions');
    expect(screen.keyboard).toEqual([[{ text: '« Back to menu', callback_data: 'menu:home' }]]);
  });

  it('escapes plan names and says when there is nothing to list', () => {
    expect(subscriptionsScreen('en', [view({ planName: { en: '<b>VIP</b>' } })]).text).toContain(
      '&lt;b&gt;VIP&lt;/b&gt;',
    );
    expect(subscriptionsScreen('ru', []).text).toContain('У вас пока нет подписок.');
  });

  it('stays within Telegram’s message limit however long the links are', () => {
    const subs = Array.from({ length: 10 }, () => view({ subscriptionUrl: `https://x.example/${'a'.repeat(900)}` }));
    expect(subscriptionsScreen('en', subs).text.length).toBeLessThanOrEqual(4096);
  });
});

describe('subscriptions screen renew buttons', () => {
  it('offers Renew for paid subscriptions only when selling is on', () => {
    const subs = [
      view(),
      view({ id: '11111111-2222-4333-8444-555555555555', isTrial: true }),
      view({ status: 'failed' }),
    ];
    const withRenew = subscriptionsScreen('en', subs, true).keyboard!.flat();
    expect(withRenew.filter((b) => 'callback_data' in b && b.callback_data.startsWith('s:r:'))).toHaveLength(1);
    const without = subscriptionsScreen('en', subs, false).keyboard!.flat();
    expect(without.some((b) => 'callback_data' in b && b.callback_data.startsWith('s:r:'))).toBe(false);
  });
});
