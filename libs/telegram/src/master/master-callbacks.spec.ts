import { MasterCallbackData as CB, parseMasterCallback } from './master-callbacks';
import { parseAdjustment, parseAmountMinor, parsePrice } from './master-console.handler';

const BOT = '2f0c1d9e-8a7b-4c6d-9e5f-1a2b3c4d5e6f';
const OTHER = '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

describe('master bot callbacks (ms:)', () => {
  it('round-trips every button, each within 64 bytes', () => {
    const all = [
      [CB.home(), { kind: 'home' }],
      [CB.cancel(), { kind: 'cancel' }],
      [CB.tenants(3), { kind: 'tenants', page: 3, search: false }],
      [CB.tenants(2, true), { kind: 'tenants', page: 2, search: true }],
      [CB.searchAsk(), { kind: 'searchAsk' }],
      [CB.card(BOT), { kind: 'card', botId: BOT }],
      [CB.suspendAsk(BOT), { kind: 'suspendAsk', botId: BOT }],
      [CB.suspendConfirm(BOT), { kind: 'suspendConfirm', botId: BOT }],
      [CB.resumeAsk(BOT), { kind: 'resumeAsk', botId: BOT }],
      [CB.resumeConfirm(BOT), { kind: 'resumeConfirm', botId: BOT }],
      [CB.topUpAsk(BOT), { kind: 'topUpAsk', botId: BOT }],
      [
        CB.topUpConfirm(BOT, 999_999_999_999_999, 'AbC-_0123456'),
        { kind: 'topUpConfirm', botId: BOT, amountMinor: 999_999_999_999_999, nonce: 'AbC-_0123456' },
      ],
      [CB.adjustAsk(BOT), { kind: 'adjustAsk', botId: BOT }],
      [CB.adjustConfirm(BOT, 'AbC-_0123456'), { kind: 'adjustConfirm', botId: BOT, nonce: 'AbC-_0123456' }],
      [CB.price(BOT), { kind: 'price', botId: BOT }],
      [CB.priceAsk(BOT), { kind: 'priceAsk', botId: BOT }],
      [CB.priceConfirm(BOT), { kind: 'priceConfirm', botId: BOT }],
      [CB.features(BOT), { kind: 'features', botId: BOT }],
      [CB.featureToggle(BOT, 4, true), { kind: 'featureToggle', botId: BOT, index: 4, allow: true }],
      [CB.invites(1), { kind: 'invites', page: 1 }],
      [CB.inviteCreate(), { kind: 'inviteCreate' }],
      [CB.inviteRevokeAsk(OTHER), { kind: 'inviteRevokeAsk', inviteId: OTHER }],
      [CB.inviteRevokeConfirm(OTHER), { kind: 'inviteRevokeConfirm', inviteId: OTHER }],
      [CB.panels(), { kind: 'panels' }],
      [CB.panelPause(OTHER), { kind: 'panelPause', panelId: OTHER }],
      [CB.panelResume(OTHER), { kind: 'panelResume', panelId: OTHER }],
      [CB.stats('30d'), { kind: 'stats', period: '30d' }],
    ] as const;
    for (const [data, parsed] of all) {
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
      expect(parseMasterCallback(data)).toEqual(parsed);
    }
  });

  it.each([
    undefined,
    '',
    'ms:',
    'ms:h:1',
    'ms:x:',
    'ms:tl:0',
    'ms:tl:-1',
    'ms:tl:1e3',
    'ms:tl:1234567',
    'ms:tl:1:2',
    'ms:t:not-a-uuid',
    'ms:t:' + 'A'.repeat(21),
    'ms:toString:AAAAAAAAAAAAAAAAAAAAAA',
    'ms:__proto__:AAAAAAAAAAAAAAAAAAAAAA',
    'ms:tc:AAAAAAAAAAAAAAAAAAAAAA:0:AAAAAAAAAAAA',
    'ms:tc:AAAAAAAAAAAAAAAAAAAAAA:12x:AAAAAAAAAAAA',
    'ms:tc:AAAAAAAAAAAAAAAAAAAAAA:9999999999999999:AAAAAAAAAAAA',
    'ms:tc:AAAAAAAAAAAAAAAAAAAAAA:10:short',
    'ms:tc:AAAAAAAAAAAAAAAAAAAAAA:10',
    'ms:ay:AAAAAAAAAAAAAAAAAAAAAA',
    'ms:ay:AAAAAAAAAAAAAAAAAAAAAA:short',
    'ms:ay:AAAAAAAAAAAAAAAAAAAAAA:AAAAAAAAAAAA:1',
    'ms:ay:not-a-uuid:AAAAAAAAAAAA',
    'ms:ft:AAAAAAAAAAAAAAAAAAAAAA:1:2',
    'ms:ft:AAAAAAAAAAAAAAAAAAAAAA:123:1',
    'ms:st:week',
    'ms:st:constructor',
    'menu:home',
    'rv:a:AAAAAAAAAAAAAAAAAAAAAA',
    'ms:h' + ' '.repeat(70),
  ])('refuses %p', (data) => {
    expect(parseMasterCallback(data)).toBeNull();
  });
});

describe('typed values in the master bot', () => {
  it('reads an amount in minor units: digits with separators, Persian and Arabic digits; nothing else', () => {
    expect(parseAmountMinor('250000')).toBe(250_000);
    expect(parseAmountMinor(' 250 000 ')).toBe(250_000);
    expect(parseAmountMinor('1,500,000')).toBe(1_500_000);
    expect(parseAmountMinor('۲۵۰۰۰۰')).toBe(250_000);
    expect(parseAmountMinor('٢٥٠')).toBe(250);
    for (const bad of ['0', '-5', '12x', '1.5', '', '9999999999999999', '1e6', '<b>1</b>']) {
      expect(parseAmountMinor(bad)).toBeNull();
    }
  });

  it('reads an adjustment as a signed non-zero amount and a note of 3..300 characters', () => {
    expect(parseAdjustment('-2250000 mistyped top-up')).toEqual({ amountMinor: -2_250_000, note: 'mistyped top-up' });
    expect(parseAdjustment('+5,000 goodwill')).toEqual({ amountMinor: 5000, note: 'goodwill' });
    expect(parseAdjustment('5000   refund of fee ')).toEqual({ amountMinor: 5000, note: 'refund of fee' });
    expect(parseAdjustment('−۲۵۰ شارژ اشتباه')).toEqual({ amountMinor: -250, note: 'شارژ اشتباه' });
    for (const bad of [
      '-2250000',
      '0 zero note',
      '-0 zero note',
      '-12x typo note',
      '-1.5 fraction',
      '-100 ab',
      `-100 ${'x'.repeat(301)}`,
      'mistyped -100',
      '--100 double sign',
      '-9999999999999999 too large',
    ]) {
      expect(parseAdjustment(bad)).toBeNull();
    }
  });

  it('reads a wholesale price as four whole numbers', () => {
    expect(parsePrice('0 20000 0 200')).toEqual({
      perPlanMinor: 0,
      perGbMinor: 20_000,
      perDayMinor: 0,
      unlimitedTrafficGb: 200,
    });
    expect(parsePrice('۱ ۲ ۳ ۴')).toEqual({ perPlanMinor: 1, perGbMinor: 2, perDayMinor: 3, unlimitedTrafficGb: 4 });
    for (const bad of ['1 2 3', '1 2 3 4 5', '1 2 -3 4', 'a b c d', '1 2 3 2000000'])
      expect(parsePrice(bad)).toBeNull();
  });
});
