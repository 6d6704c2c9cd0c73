import { randomUUID } from 'node:crypto';
import { TELEGRAM_LIMITS } from '../text/html';
import { parseWalletCallback, WalletCallbacks } from './wallet-callbacks';

describe('wallet callback data', () => {
  const order = randomUUID();

  it('round-trips every button and fits Telegram’s 64 bytes', () => {
    const cases = [
      [WalletCallbacks.home(3), { kind: 'home', page: 3 }],
      [WalletCallbacks.amounts(), { kind: 'amounts' }],
      [WalletCallbacks.typeAmount(), { kind: 'typeAmount' }],
      [WalletCallbacks.methods(150_000), { kind: 'methods', amountMinor: 150_000, orderId: null }],
      [WalletCallbacks.methods(150_000, order), { kind: 'methods', amountMinor: 150_000, orderId: order }],
      [
        WalletCallbacks.card(1_000_000_000_000_000, order),
        { kind: 'card', amountMinor: 1_000_000_000_000_000, orderId: order },
      ],
      [
        WalletCallbacks.gateway('cryptobot_ab', 1_000_000_000_000_000, order),
        { kind: 'gateway', method: 'cryptobot_ab', amountMinor: 1_000_000_000_000_000, orderId: order },
      ],
      [WalletCallbacks.difference(order), { kind: 'difference', orderId: order }],
      [WalletCallbacks.payOrder(order), { kind: 'payOrder', orderId: order }],
    ] as const;
    for (const [data, parsed] of cases) {
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(TELEGRAM_LIMITS.callbackDataBytes);
      expect(parseWalletCallback(data)).toEqual(parsed);
    }
  });

  it('refuses anything else', () => {
    for (const bad of [
      undefined,
      '',
      'wt',
      'wt:',
      'wt:h:0',
      'wt:h:-1',
      'wt:h:abc',
      'wt:h:1:2',
      'wt:t:1',
      'wt:m:0',
      'wt:m:-5',
      'wt:m:1.5',
      'wt:m:01',
      'wt:m:99999999999999999',
      'wt:m:100:not-a-uuid',
      'wt:m:100:' + 'A'.repeat(22) + ':x',
      'wt:g:ZARINPAL:100',
      'wt:g:zarinpal',
      'wt:g:zarinpal:abc',
      'wt:d:',
      'wt:p:xyz',
      'wt:x:1',
      's:w:' + 'A'.repeat(22),
      'wt:m:1' + '0'.repeat(70),
    ]) {
      expect({ bad, parsed: parseWalletCallback(bad) }).toEqual({ bad, parsed: null });
    }
  });
});
