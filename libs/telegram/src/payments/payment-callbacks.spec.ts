import { PaymentCallbacks, parsePaymentCallback } from './payment-callbacks';

const ORDER = '0b9f6a4e-6a3c-4a8e-9d2b-3c1f0e7a5b21';

describe('payment screen callbacks (pg:)', () => {
  it('round-trips a gateway and an order within 64 bytes', () => {
    for (const method of ['zarinpal', 'stars', 'cryptobot', 'a_gateway_named_long']) {
      const data = PaymentCallbacks.gateway(method, ORDER);
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
      expect(parsePaymentCallback(data)).toEqual({ kind: 'gateway', method, orderId: ORDER });
    }
  });

  it('refuses anything else: other prefixes, bad names, bad ids, extra parts, oversize', () => {
    const good = PaymentCallbacks.gateway('zarinpal', ORDER);
    const packed = good.split(':')[2];
    for (const bad of [
      undefined,
      '',
      'pg:',
      'pg:zarinpal',
      `s:zarinpal:${packed}`,
      `pg:Zarinpal:${packed}`,
      `pg:z:${packed}`,
      `pg:zar-inpal:${packed}`,
      `pg:zarinpal:${packed}:x`,
      `pg:zarinpal:not-a-uuid`,
      `pg:zarinpal:${ORDER}`,
      `pg:${'a'.repeat(21)}:${packed}`,
      `${good}${'x'.repeat(64)}`,
    ]) {
      expect(parsePaymentCallback(bad)).toBeNull();
    }
  });
});
