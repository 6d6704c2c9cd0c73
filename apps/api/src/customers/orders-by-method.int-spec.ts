import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { FeaturesService } from '@botfleet/catalog';
import { Actors } from '@botfleet/common';
import { StartGatewayPaymentUseCase } from '@botfleet/payments';
import { CryptoPayEmulator, TestBot, TestContext, WorkerWorld } from '@botfleet/testing';
import { createApiApp } from '../bootstrap';

jest.setTimeout(60_000);

/**
 * A sale paid through CryptoBot, on the real API, PostgreSQL, Redis and the Crypto Pay emulator: the order and the
 * payment are found by the filters the shop uses (`?method=cryptobot`), and another method's filter leaves them out.
 */
describe('orders and payments filtered by a gateway method (API in-process, Crypto Pay emulator)', () => {
  let cp: CryptoPayEmulator;
  let world: WorkerWorld;
  let ctx: TestContext;
  let app: INestApplication;
  let bot: TestBot;
  const http = () => request(app.getHttpServer());
  const get = (path: string) => http().get(path).set('Authorization', `Bearer ${bot.apiToken}`);

  beforeAll(async () => {
    cp = await CryptoPayEmulator.start();
    world = await WorkerWorld.start({
      env: { CRYPTO_PAY_BASE_URL: cp.url, CRYPTO_PAY_TESTNET_BASE_URL: cp.url },
      jobs: 'detached',
      createWorker: createApiApp,
    });
    ({ ctx } = world);
    app = world.worker;
    bot = await ctx.newBot({ currency: 'USD', walletMinor: 10_000_000 });
    const cryptoApp = cp.createApp();
    await ctx.allowFeature(bot.id, 'cryptobot');
    await ctx
      .get(FeaturesService)
      .set(bot.id, 'cryptobot', true, { apiToken: cryptoApp.token }, Actors.tenantApi(bot.id));
  });

  afterAll(async () => {
    await world?.close();
    await cp?.close();
  });

  it('a CryptoBot sale is listed by GET …/orders?method=cryptobot and GET …/payments?method=cryptobot', async () => {
    const pending = await ctx.newOrder(bot.id, { plan: { priceMinor: 450 } });
    const { payment } = await ctx.get(StartGatewayPaymentUseCase).execute({
      botId: bot.id,
      gateway: 'cryptobot',
      language: 'en',
      purpose: 'order',
      orderId: pending.orderId,
      by: { userId: pending.userId },
    });
    const invoiceId = Number(payment.externalId);
    await cp.payInvoice(invoiceId);
    const { body, headers } = cp.signedUpdate(invoiceId);
    await http()
      .post(`/payments/cryptobot/webhook/${bot.id}`)
      .set('Content-Type', 'application/json')
      .set(headers)
      .send(body)
      .expect(200);

    const orders = await get(`/v1/bots/${bot.id}/orders?method=cryptobot`).expect(200);
    expect(orders.body.items.map((o: { id: string; method: string }) => [o.id, o.method])).toEqual([
      [pending.orderId, 'cryptobot'],
    ]);
    expect(['paid', 'fulfilling', 'fulfilled']).toContain(orders.body.items[0].status);
    const payments = await get(`/v1/bots/${bot.id}/payments?method=cryptobot`).expect(200);
    expect(payments.body.items.map((p: { id: string; status: string }) => [p.id, p.status])).toEqual([
      [payment.id, 'paid'],
    ]);
    const ofUser = await get(`/v1/bots/${bot.id}/users/${pending.userId}/payments?method=cryptobot`).expect(200);
    expect(ofUser.body.items.map((p: { id: string }) => p.id)).toEqual([payment.id]);

    // Another method's filter leaves it out; a method that is no registered gateway is a 400 naming the field.
    expect((await get(`/v1/bots/${bot.id}/orders?method=zarinpal`).expect(200)).body.items).toEqual([]);
    expect((await get(`/v1/bots/${bot.id}/payments?method=stars`).expect(200)).body.items).toEqual([]);
    for (const path of ['orders', 'payments']) {
      const bad = await get(`/v1/bots/${bot.id}/${path}?method=bitcoin`).expect(400);
      expect(JSON.stringify(bad.body.error.details)).toContain('method');
    }
  });
});
