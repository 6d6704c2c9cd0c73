import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CryptoPayEmulator, cryptoPaySignature } from '@botfleet/testing';
import {
  CryptoPayClient,
  CryptoPayError,
  cryptoPayPrice,
  parseCryptoPayUpdate,
  verifyCryptoPaySignature,
} from './crypto-pay.client';

jest.setTimeout(30_000);

describe('Crypto Pay client against the Crypto Pay emulator (HTTP)', () => {
  let emulator: CryptoPayEmulator;
  let client: CryptoPayClient;

  beforeAll(async () => {
    emulator = await CryptoPayEmulator.start();
    client = new CryptoPayClient(emulator.url);
  });
  afterAll(() => emulator.close());

  it('creates a fiat invoice with our payload, reads it back, and sees it paid then', async () => {
    const app = emulator.createApp();
    const invoice = await client.createInvoice(app.token, {
      fiat: 'USD',
      amount: '4.50',
      acceptedAssets: ['USDT', 'TON'],
      description: 'Order 1',
      payload: 'cb:payment-1',
      expiresInSeconds: 600,
    });
    expect(invoice).toMatchObject({ status: 'active', currencyType: 'fiat', fiat: 'USD', amount: '4.50' });
    expect(invoice.payUrl).toMatch(/^https:\/\/t\.me\/CryptoBot\?start=/);
    expect(emulator.calls('createInvoice')).toBe(1);
    await emulator.payInvoice(invoice.invoiceId);
    const [read] = await client.getInvoices(app.token, [invoice.invoiceId]);
    expect(read).toMatchObject({ invoiceId: invoice.invoiceId, status: 'paid', payload: 'cb:payment-1' });
    expect(read.paidAt).toEqual(expect.any(String));
  });

  it("another app's token does not see the invoice; a wrong token is unauthorized", async () => {
    const a = emulator.createApp();
    const b = emulator.createApp();
    const invoice = await client.createInvoice(a.token, {
      fiat: 'EUR',
      amount: '1.00',
      description: 'x',
      payload: 'p',
      expiresInSeconds: 60,
    });
    await expect(client.getInvoices(b.token, [invoice.invoiceId])).resolves.toEqual([]);
    const forged = `${a.appId}:AAthisisnotthetokenthisisnotthetoken`;
    await expect(client.getInvoices(forged, [invoice.invoiceId])).rejects.toMatchObject({ kind: 'unauthorized' });
  });

  it('an expired invoice reads expired; bad parameters are rejected by name', async () => {
    const app = emulator.createApp();
    const invoice = await client.createInvoice(app.token, {
      fiat: 'USD',
      amount: '2.00',
      description: 'x',
      payload: 'p',
      expiresInSeconds: 60,
    });
    emulator.expireInvoice(invoice.invoiceId);
    const [read] = await client.getInvoices(app.token, [invoice.invoiceId]);
    expect(read.status).toBe('expired');
    const err = await client
      .createInvoice(app.token, { fiat: 'IRR', amount: '2.00', description: 'x', payload: 'p', expiresInSeconds: 60 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CryptoPayError);
    expect(err).toMatchObject({ kind: 'rejected', errorName: 'FIAT_INVALID' });
  });

  it('a 5xx or an unreachable host is "unreachable", and the token is in no error message', async () => {
    const app = emulator.createApp();
    emulator.failNext(1, 502);
    const err = (await client.getInvoices(app.token, [1]).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ kind: 'unreachable' });
    expect(err.message).not.toContain(app.token);
    const dead = new CryptoPayClient('http://127.0.0.1:1', { timeoutMs: 2000 });
    const down = (await dead.getMe(app.token).catch((e: unknown) => e)) as Error;
    expect(down).toMatchObject({ kind: 'unreachable' });
    expect(down.message).not.toContain(app.token);
  });

  it('the webhook is signed so that only the right token verifies it; the update parses', async () => {
    const app = emulator.createApp();
    const other = emulator.createApp();
    const bodies: { body: Buffer; signature: string | undefined }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({ body: Buffer.concat(chunks), signature: req.headers['crypto-pay-api-signature'] as string });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      emulator.setWebhook(app.token, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
      const invoice = await client.createInvoice(app.token, {
        fiat: 'USD',
        amount: '3.00',
        description: 'x',
        payload: 'cb:abc',
        expiresInSeconds: 60,
      });
      const { delivery } = await emulator.payInvoice(invoice.invoiceId);
      expect(delivery?.status).toBe(200);
      const [{ body, signature }] = bodies;
      expect(verifyCryptoPaySignature(app.token, body, signature)).toBe(true);
      expect(verifyCryptoPaySignature(other.token, body, signature)).toBe(false);
      expect(verifyCryptoPaySignature(app.token, Buffer.concat([body, Buffer.from(' ')]), signature)).toBe(false);
      expect(verifyCryptoPaySignature(app.token, body, undefined)).toBe(false);
      expect(verifyCryptoPaySignature(app.token, body, 'zz')).toBe(false);
      expect(signature).toBe(cryptoPaySignature(app.token, body));
      expect(parseCryptoPayUpdate(body)).toMatchObject({
        type: 'invoice_paid',
        invoice: { invoiceId: invoice.invoiceId, status: 'paid', payload: 'cb:abc', fiat: 'USD', amount: '3.00' },
      });
      expect(parseCryptoPayUpdate(Buffer.from('not json'))).toBeNull();
      expect(parseCryptoPayUpdate(Buffer.from('{"update_id":1,"update_type":"other","payload":{}}'))).toBeNull();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('cryptoPayPrice', () => {
  it('uses the bot currency when Crypto Pay has it (minor units = cents)', () => {
    expect(cryptoPayPrice(450, 'USD', {})).toEqual({ fiat: 'USD', amount: '4.50' });
    expect(cryptoPayPrice(7, 'EUR', {})).toEqual({ fiat: 'EUR', amount: '0.07' });
  });
  it('converts with minorPerFiatUnit, rounding up to the cent', () => {
    // 1 USD = 600,000 IRT: 1,500,000 IRT = 2.50 USD; one toman more rounds up to 2.51.
    expect(cryptoPayPrice(1_500_000, 'IRT', { fiat: 'USD', minorPerFiatUnit: 600_000 })).toEqual({
      fiat: 'USD',
      amount: '2.50',
    });
    expect(cryptoPayPrice(1_500_001, 'IRT', { fiat: 'USD', minorPerFiatUnit: 600_000 })).toEqual({
      fiat: 'USD',
      amount: '2.51',
    });
  });
  it('cannot price without a rate for a currency Crypto Pay does not have, nor a non-positive amount', () => {
    expect(cryptoPayPrice(1000, 'IRT', {})).toBeNull();
    expect(cryptoPayPrice(1000, 'IRT', { fiat: 'USD' })).toBeNull();
    expect(cryptoPayPrice(0, 'USD', {})).toBeNull();
    expect(cryptoPayPrice(100, 'USD', { fiat: 'XXX' })).toBeNull();
  });
});
