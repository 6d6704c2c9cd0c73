import { randomUUID } from 'node:crypto';
import { packUuid, parseSaleCallback, SaleCallbacks, unpackUuid } from './sale-callbacks';

describe('sale callback data', () => {
  const a = randomUUID();
  const b = randomUUID();

  it('round-trips every button and fits in 64 bytes', () => {
    const cases = [
      [SaleCallbacks.plan(a), { kind: 'plan', planId: a }],
      [SaleCallbacks.newSub(a), { kind: 'new', planId: a }],
      [SaleCallbacks.renew(a, b), { kind: 'renew', planId: a, subscriptionId: b }],
      [SaleCallbacks.payCard(a), { kind: 'payCard', orderId: a }],
      [SaleCallbacks.payWallet(a), { kind: 'payWallet', orderId: a }],
      [SaleCallbacks.approve(a), { kind: 'approve', paymentId: a }],
      [SaleCallbacks.reject(a), { kind: 'reject', paymentId: a }],
      [SaleCallbacks.rejectWith(a, 3), { kind: 'rejectWith', paymentId: a, preset: 3 }],
      [SaleCallbacks.rejectTyped(a), { kind: 'rejectTyped', paymentId: a }],
      [SaleCallbacks.reviewBack(a), { kind: 'reviewBack', paymentId: a }],
    ] as const;
    for (const [data, parsed] of cases) {
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
      expect(parseSaleCallback(data)).toEqual(parsed);
    }
  });

  it('refuses anything else', () => {
    for (const bad of [
      undefined,
      '',
      's:p',
      's:p:short',
      `s:x:${packUuid(a)}`,
      `rv:p:${packUuid(a)}:12`,
      `s:p:${packUuid(a)}:x`,
      'menu:buy',
      'x'.repeat(65),
    ]) {
      expect(parseSaleCallback(bad)).toBeNull();
    }
    expect(unpackUuid('!'.repeat(22))).toBeNull();
    expect(unpackUuid(packUuid(a))).toBe(a);
  });
});
