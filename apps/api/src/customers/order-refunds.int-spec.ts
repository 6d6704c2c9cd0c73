import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { ConsoleLinksService } from '@botfleet/bots';
import { ConfigurationsService, FeaturesService } from '@botfleet/catalog';
import { Actors, ErrorCode } from '@botfleet/common';
import { JobName, QueueName } from '@botfleet/jobs';
import { ProvisioningPanelDirectory } from '@botfleet/operator';
import { StarsCheckout, StartGatewayPaymentUseCase, WHOLESALE_REFUND_WINDOW_MS } from '@botfleet/payments';
import {
  PANEL_DIRECTORY,
  PROVISIONING_OUTCOMES,
  ProvisioningOutcomesPort,
  ProvisioningService,
} from '@botfleet/provisioning';
import { FulfilmentService, SalesModule } from '@botfleet/sales';
import { createModuleApp, sessionCookie, TestBot, TestContext, waitFor, WorkerWorld } from '@botfleet/testing';
import { createApiApp } from '../bootstrap';

jest.setTimeout(120_000);

const PRICE = 50_000;
const WHOLESALE = 2_000; // perPlanMinor 1000 + 10 GB × 100
const GB10 = 10 * 1024 ** 3;

/** The cookie a response set, as `name=value` for the next request's Cookie header. */
/**
 * The shop takes back a sale it approved (POST …/orders/{id}/refund) and switches a subscription off by hand
 * (POST …/subscriptions/{id}/disable), on the real API, PostgreSQL, Redis and a Remnawave emulator. The panel work
 * the API queues is run here by the production ProvisioningService (the worker's own handler calls the same).
 */
describe('order refunds and manual switch-off (API in-process, real PostgreSQL/Redis, Remnawave emulator)', () => {
  let world: WorkerWorld;
  let ctx: TestContext;
  let app: INestApplication;
  let platform: DataSource;
  let provisioning: ProvisioningService;
  let links: ConsoleLinksService;
  let jobsQueue: Queue;
  let notices: Queue;
  let ip = 0;
  const http = () => request(app.getHttpServer());
  const bearer = (bot: TestBot) => ({ Authorization: `Bearer ${bot.apiToken}` });

  const one = async <T>(sql: string, params: unknown[]): Promise<T> => ((await platform.query(sql, params)) as T[])[0];
  const balanceOf = async (userId: string) =>
    Number((await one<{ b: string }>(`SELECT balance_minor b FROM users WHERE id = $1`, [userId])).b);
  const shopWallet = async (botId: string) =>
    Number((await one<{ b: string }>(`SELECT wallet_balance_minor b FROM bots WHERE id = $1`, [botId])).b);
  /** The user ledger keys of an order (refunds, commissions) and the wholesale ledger keys, sorted. */
  const ledgers = async (botId: string, orderId: string) => ({
    user: (
      (await platform.query(
        `SELECT idempotency_key k, amount_minor::int a FROM transactions WHERE bot_id = $1 AND order_id = $2 `,
        [botId, orderId],
      )) as { k: string; a: number }[]
    )
      .map((r) => `${r.k}=${r.a}`)
      .sort(),
    wholesale: (
      (await platform.query(`SELECT idempotency_key k FROM tenant_wallet_ledger WHERE bot_id = $1 AND reference = $2`, [
        botId,
        `order:${orderId}`,
      ])) as { k: string }[]
    )
      .map((r) => r.k)
      .sort(),
  });
  /** Everything a refund changes, to compare before and after a refused one. */
  const stateOf = async (botId: string, orderId: string, users: string[]) => ({
    order: await world.orderStatus(orderId),
    balances: await Promise.all(users.map(balanceOf)),
    shop: await shopWallet(botId),
    ledgers: await ledgers(botId, orderId),
    disableJobs: (await disableJobs(botId)).length,
  });
  const disableJobs = async (botId: string) =>
    (await jobsQueue.getJobs(['waiting', 'delayed', 'prioritized', 'paused'])).filter(
      (j) => j.name === JobName.DisableSubscription && j.data.botId === botId,
    );
  /** Runs the switch-offs the API queued for the bot, as the worker's DisableSubscription handler does. */
  const runDisableJobs = async (botId: string) => {
    const jobs = await waitFor(async () => {
      const found = await disableJobs(botId);
      return found.length ? found : undefined;
    });
    for (const job of jobs) {
      await provisioning.disable(job.data.botId, job.data.subscriptionId, job.data.reason, job.data.orderId);
      await job.remove();
    }
    return jobs;
  };

  const signIn = async (botId: string, telegramId: number) => {
    const { code } = await links.issueForAdmin(botId, telegramId);
    const res = await http().post('/v1/sessions').set('X-Forwarded-For', `10.79.0.${++ip}`).send({ code }).expect(201);
    return { Cookie: sessionCookie(res), 'X-CSRF-Token': res.body.csrfToken as string };
  };

  /** A shop that sells a 50,000 plan (and `priceStars`, when given) with a 2,000 wholesale cost, referrals at 10 %. */
  const newShop = async (priceStars?: number) => {
    const bot = await ctx.newBot({ walletMinor: 1_000_000 });
    await ctx.setWholesalePrice(bot.id, { perPlanMinor: 1000, perGbMinor: 100 });
    await ctx.get(FeaturesService).set(bot.id, 'referral_program', true);
    await ctx.get(ConfigurationsService).set(bot.id, 'referral_commission_percent', 10);
    await ctx.get(ConfigurationsService).set(bot.id, 'referral_commission_scope', 'every_purchase');
    if (priceStars) {
      await ctx.get(FeaturesService).set(bot.id, 'telegram_stars', true, undefined, Actors.tenantApi(bot.id));
    }
    const plan = await ctx.newPlan(bot.id, { priceMinor: PRICE, trafficLimitGb: 10, priceStars });
    const referrer = await ctx.newUser(bot.id);
    const buyer = await ctx.newUser(bot.id, { startPayload: `ref_${referrer.referralCode}` });
    return { bot, planId: plan.id, referrer, buyer };
  };

  /** A card receipt the shop approves over REST, then its account made on the panel: a fulfilled order. */
  const approvedCardSale = async (shop: Awaited<ReturnType<typeof newShop>>) => {
    const receipt = await ctx.newReceiptToReview(shop.bot.id, { userId: shop.buyer.id, planId: shop.planId });
    await http()
      .post(`/v1/bots/${shop.bot.id}/card-payments/${receipt.paymentId}/approve`)
      .set(bearer(shop.bot))
      .send({})
      .expect(200);
    return fulfil(shop.bot.id, receipt.orderId);
  };
  /**
   * The buyer pays a pending order with Telegram Stars: the invoice the bot sends, the charge the Telegram emulator
   * records (its refundStarPayment checks it), and the bot's successful_payment handling. Returns the payment.
   */
  const paidWithStars = async (shop: Awaited<ReturnType<typeof newShop>>, orderId: string) => {
    const botId = shop.bot.id;
    const { payment, action } = await ctx.get(StartGatewayPaymentUseCase).execute({
      botId,
      gateway: 'stars',
      language: 'en',
      purpose: 'order',
      orderId,
      by: { userId: shop.buyer.id },
    });
    if (action.kind !== 'invoice') throw new Error('Stars answer with an invoice');
    const stars = {
      payload: String(action.invoice.payload),
      currency: 'XTR',
      totalAmount: Number(action.invoice.amount),
      fromTelegramId: shop.buyer.telegramId,
    };
    const chargeId = world.telegram.sendSuccessfulPayment(shop.bot.telegram.id, {
      from: { id: shop.buyer.telegramId, first_name: 'Buyer' },
      currency: stars.currency,
      totalAmount: stars.totalAmount,
      invoicePayload: stars.payload,
    }).telegramPaymentChargeId;
    await ctx.get(StarsCheckout).paid(botId, { ...stars, chargeId });
    expect(await world.orderStatus(orderId)).toBe('fulfilling');
    return { paymentId: payment.id, chargeId };
  };
  const starsRefunds = (bot: TestBot, chargeId: string) =>
    world.telegram.getRefunds(bot.telegram.id).filter((r) => r.telegramPaymentChargeId === chargeId);

  const fulfil = async (botId: string, orderId: string) => {
    const [order] = (await platform.query(`SELECT subscription_id s FROM orders WHERE id = $1`, [orderId])) as {
      s: string;
    }[];
    await provisioning.provision(botId, order.s, orderId);
    expect(await world.orderStatus(orderId)).toBe('fulfilled');
    const sub = await world.subscription(order.s);
    expect(world.rw.account(sub.panel_username!)?.enabled).toBe(true);
    return { orderId, subscriptionId: order.s, username: sub.panel_username! };
  };

  beforeAll(async () => {
    world = await WorkerWorld.start({ panels: ['remnawave'], createWorker: createApiApp });
    ({ ctx, platform } = world);
    app = world.worker;
    links = app.get(ConsoleLinksService, { strict: false });
    const outcomes = (f: FulfilmentService): ProvisioningOutcomesPort => ({
      succeeded: async (botId, _sub, orderId) => {
        if (orderId) await f.succeeded(botId, orderId);
      },
      failed: async (botId, _sub, orderId, reason) => {
        if (orderId) await f.failed(botId, orderId, reason);
      },
    });
    const panelWork: INestApplicationContext = await world.startWorker(() =>
      createModuleApp({
        imports: [SalesModule],
        providers: [
          ProvisioningService,
          { provide: PANEL_DIRECTORY, useClass: ProvisioningPanelDirectory },
          { provide: PROVISIONING_OUTCOMES, useFactory: outcomes, inject: [FulfilmentService] },
        ],
      }),
    );
    provisioning = panelWork.get(ProvisioningService);
    jobsQueue = world.queue(QueueName.Provisioning);
    notices = world.queue(QueueName.Notifications);
    await world.newRemnawavePanel();
  });

  afterAll(() => world?.close());

  it('refunds an approved card sale to the wallet once: wholesale and commission reversed, account off, user told', async () => {
    const shop = await newShop();
    const botId = shop.bot.id;
    const before = await shopWallet(botId);
    const sale = await approvedCardSale(shop);
    expect(await balanceOf(shop.referrer.id)).toBe(PRICE / 10);
    expect(await shopWallet(botId)).toBe(before - WHOLESALE);
    // The list says which orders the shop may refund (the use case's rule; the console shows Refund from it).
    const listed = async () =>
      (await http().get(`/v1/bots/${botId}/orders?userId=${shop.buyer.id}`).set(bearer(shop.bot)).expect(200)).body
        .items as { id: string; refundable: boolean }[];
    expect((await listed()).find((o) => o.id === sale.orderId)?.refundable).toBe(true);

    const res = await http()
      .post(`/v1/bots/${botId}/orders/${sale.orderId}/refund`)
      .set(bearer(shop.bot))
      .send({ reason: 'Receipt approved by mistake', to: 'wallet' })
      .expect(200);
    expect(res.body.order.refundable).toBe(false);
    expect((await listed()).find((o) => o.id === sale.orderId)?.refundable).toBe(false);
    expect(res.body).toMatchObject({
      order: { id: sale.orderId, status: 'refunded' },
      walletCreditedMinor: PRICE,
      wholesaleReversed: true,
    });
    expect(res.body.order.wholesaleRefundableUntil).toBe(
      new Date(Date.parse(res.body.order.paidAt) + WHOLESALE_REFUND_WINDOW_MS).toISOString(),
    );

    expect(await balanceOf(shop.buyer.id)).toBe(PRICE);
    expect(await balanceOf(shop.referrer.id)).toBe(0);
    expect(await shopWallet(botId)).toBe(before);
    expect(await ledgers(botId, sale.orderId)).toEqual({
      user: [
        `order:${sale.orderId}:refund=${PRICE}`,
        `referral:${sale.orderId}:reversal=${-PRICE / 10}`,
        `referral:${sale.orderId}=${PRICE / 10}`,
      ],
      wholesale: [
        `order:${sale.orderId}:capture`,
        `order:${sale.orderId}:hold`,
        `order:${sale.orderId}:wholesale-refund`,
      ],
    });
    // The account is switched off on the panel by the job the refund queued.
    const jobs = await runDisableJobs(botId);
    expect(jobs.map((j) => j.data.subscriptionId)).toEqual([sale.subscriptionId]);
    expect(world.rw.account(sale.username)?.enabled).toBe(false);
    expect((await world.subscription(sale.subscriptionId)).status).toBe('disabled');
    // The customer is told, and the audit names who did it and why.
    const told = await waitFor(async () =>
      (await notices.getJobs(['waiting', 'delayed', 'prioritized', 'paused'])).find(
        (j) => j.name === JobName.SaleNotification && j.data.orderId === sale.orderId,
      ),
    );
    expect(told?.data).toMatchObject({ botId, event: 'order_refunded', refundTo: 'wallet' });
    const audit = await http().get(`/v1/bots/${botId}/audit-log?pageSize=100`).set(bearer(shop.bot)).expect(200);
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({ action: 'order.refund', targetId: sale.orderId, actorType: 'tenant_api' }),
    );

    // Again: 409 ALREADY_REFUNDED and nothing changes (no second credit, no second reversal, no second job).
    const settled = await stateOf(botId, sale.orderId, [shop.buyer.id, shop.referrer.id]);
    for (const to of ['wallet', 'offline']) {
      const again = await http()
        .post(`/v1/bots/${botId}/orders/${sale.orderId}/refund`)
        .set(bearer(shop.bot))
        .send({ reason: 'Twice', to })
        .expect(409);
      expect(again.body.error.code).toBe(ErrorCode.ALREADY_REFUNDED);
    }
    expect(await stateOf(botId, sale.orderId, [shop.buyer.id, shop.referrer.id])).toEqual(settled);
  });

  it('a refunded renewal takes back only its days and traffic; the refund of the first order then switches it off', async () => {
    const shop = await newShop();
    const botId = shop.bot.id;
    const sale = await approvedCardSale(shop);
    const firstEnd = (await world.subscription(sale.subscriptionId)).expires_at!;
    const renewal = await ctx.newPaidOrder(botId, {
      userId: shop.buyer.id,
      planId: shop.planId,
      renewSubscriptionId: sale.subscriptionId,
      via: 'wallet',
    });
    expect(renewal.order.kind).toBe('renewal');
    await provisioning.extend(botId, sale.subscriptionId, renewal.orderId);
    expect(await world.orderStatus(renewal.orderId)).toBe('fulfilled');
    const renewed = await world.subscription(sale.subscriptionId);
    expect(new Date(renewed.expires_at!).getTime()).toBe(new Date(firstEnd).getTime() + 30 * 86_400_000);

    await http()
      .post(`/v1/bots/${botId}/orders/${renewal.orderId}/refund`)
      .set(bearer(shop.bot))
      .send({ reason: 'Renewed the wrong subscription', to: 'wallet' })
      .expect(200);
    await runDisableJobs(botId);
    const after = await world.subscription(sale.subscriptionId);
    expect(after.status).toBe('active');
    expect(new Date(after.expires_at!).getTime()).toBe(new Date(firstEnd).getTime());
    // Nothing was used: the renewal's limit was 0 + 10 GB; taking it back restores the first order's 10 GB, not 0
    // (0 is unlimited on every panel).
    expect(Number(renewed.traffic_used)).toBe(0);
    expect(Number(after.traffic_limit)).toBe(GB10);
    const account = world.rw.account(sale.username)!;
    expect(account.enabled).toBe(true);
    expect(account.expireAt?.getTime()).toBe(new Date(firstEnd).getTime());
    expect(account.trafficLimitBytes).toBe(GB10);
    expect(await balanceOf(shop.buyer.id)).toBe(PRICE);

    // Nothing paid remains once the order that created it is refunded too: the account is switched off.
    await http()
      .post(`/v1/bots/${botId}/orders/${sale.orderId}/refund`)
      .set(bearer(shop.bot))
      .send({ reason: 'Asked for everything back', to: 'offline' })
      .expect(200);
    await runDisableJobs(botId);
    expect((await world.subscription(sale.subscriptionId)).status).toBe('disabled');
    expect(world.rw.account(sale.username)?.enabled).toBe(false);
    // A replay of the job takes nothing more.
    expect(await provisioning.disable(botId, sale.subscriptionId, 'refunded', renewal.orderId)).toEqual({
      applied: false,
    });
  });

  /** A renewal of the subscription on `planId`, paid from the wallet and applied on the panel. */
  const renew = async (shop: Awaited<ReturnType<typeof newShop>>, subscriptionId: string, planId = shop.planId) => {
    const renewal = await ctx.newPaidOrder(shop.bot.id, {
      userId: shop.buyer.id,
      planId,
      renewSubscriptionId: subscriptionId,
      via: 'wallet',
    });
    expect(renewal.order.kind).toBe('renewal');
    await provisioning.extend(shop.bot.id, subscriptionId, renewal.orderId);
    expect(await world.orderStatus(renewal.orderId)).toBe('fulfilled');
    return renewal.orderId;
  };
  const refund = async (shop: Awaited<ReturnType<typeof newShop>>, orderId: string) => {
    await http()
      .post(`/v1/bots/${shop.bot.id}/orders/${orderId}/refund`)
      .set(bearer(shop.bot))
      .send({ reason: 'Taken back', to: 'offline' })
      .expect(200);
    await runDisableJobs(shop.bot.id);
  };
  /** What the customer has: the row and the Remnawave account. */
  const holding = async (subscriptionId: string) => {
    const row = await world.subscription(subscriptionId);
    const account = world.rw.account(row.panel_username!)!;
    return {
      status: row.status,
      planId: row.plan_id,
      deviceLimit: row.device_limit,
      expiresAt: new Date(row.expires_at!).getTime(),
      limit: Number(row.traffic_limit),
      panel: {
        enabled: account.enabled,
        expiresAt: account.expireAt?.getTime(),
        limit: account.trafficLimitBytes,
        deviceLimit: account.deviceLimit,
      },
    };
  };

  it('a refunded renewal onto an unlimited plan restores the plan, device limit and traffic it replaced (never 0)', async () => {
    const shop = await newShop();
    const botId = shop.bot.id;
    const sale = await approvedCardSale(shop);
    const before = await holding(sale.subscriptionId);
    expect(before).toMatchObject({ planId: shop.planId, deviceLimit: 2, limit: GB10, panel: { limit: GB10 } });
    const unlimited = await ctx.newPlan(botId, { priceMinor: PRICE, trafficLimitGb: 0, deviceLimit: 5 });
    const renewal = await renew(shop, sale.subscriptionId, unlimited.id);
    expect(await holding(sale.subscriptionId)).toMatchObject({
      planId: unlimited.id,
      deviceLimit: 5,
      limit: 0,
      panel: { limit: 0, deviceLimit: 5 },
    });

    await refund(shop, renewal);
    expect(await holding(sale.subscriptionId)).toEqual(before);
  });

  it('a refunded renewal reads the traffic used from the panel: a limit already used up stays at what is used', async () => {
    const shop = await newShop();
    const sale = await approvedCardSale(shop);
    const renewal = await renew(shop, sale.subscriptionId);
    // 12 GB used on the panel, not yet synced to the row (which still says 0).
    world.rw.setUsedTraffic(sale.username, 12 * 1024 ** 3);
    expect(Number((await world.subscription(sale.subscriptionId)).traffic_used)).toBe(0);

    await refund(shop, renewal);
    const after = await holding(sale.subscriptionId);
    expect(after).toMatchObject({ status: 'active', limit: 12 * 1024 ** 3, panel: { limit: 12 * 1024 ** 3 } });
    expect(world.rw.rawUser(sale.username)?.usedTrafficBytes).toBe(12 * 1024 ** 3);
  });

  it('a refunded renewal that a later renewal replaced takes back only its days; the later one then restores both', async () => {
    const shop = await newShop();
    const botId = shop.bot.id;
    const sale = await approvedCardSale(shop);
    const first = await holding(sale.subscriptionId);
    const bigger = await ctx.newPlan(botId, { priceMinor: PRICE, trafficLimitGb: 20, deviceLimit: 3 });
    const a = await renew(shop, sale.subscriptionId);
    world.rw.setUsedTraffic(sale.username, 1024 ** 3);
    const b = await renew(shop, sale.subscriptionId, bigger.id);
    const renewed = await holding(sale.subscriptionId);
    expect(renewed).toMatchObject({ planId: bigger.id, deviceLimit: 3, limit: 21 * 1024 ** 3 });

    await refund(shop, a);
    const days = 30 * 86_400_000;
    expect(await holding(sale.subscriptionId)).toEqual({
      ...renewed,
      expiresAt: renewed.expiresAt - days,
      panel: { ...renewed.panel, expiresAt: renewed.expiresAt - days },
    });

    // Both renewals refunded: back to what the first order sold, not to what renewal `a` gave.
    await refund(shop, b);
    expect(await holding(sale.subscriptionId)).toEqual(first);
  });

  it('refunding the first order while a renewal is stacked takes back only its days, never the renewal traffic', async () => {
    const shop = await newShop();
    const sale = await approvedCardSale(shop);
    await renew(shop, sale.subscriptionId);
    const renewed = await holding(sale.subscriptionId);
    expect(renewed.limit).toBe(GB10);

    await refund(shop, sale.orderId);
    const days = 30 * 86_400_000;
    expect(await holding(sale.subscriptionId)).toEqual({
      ...renewed,
      expiresAt: renewed.expiresAt - days,
      panel: { ...renewed.panel, expiresAt: renewed.expiresAt - days },
    });
  });

  it('a Stars-paid renewal refunded through its payment takes back only its days; the account stays on', async () => {
    const shop = await newShop(250);
    const botId = shop.bot.id;
    const sale = await approvedCardSale(shop);
    const firstEnd = new Date((await world.subscription(sale.subscriptionId)).expires_at!).getTime();
    const renewal = await ctx.newOrder(botId, {
      userId: shop.buyer.id,
      planId: shop.planId,
      renewSubscriptionId: sale.subscriptionId,
    });
    expect(renewal.order.kind).toBe('renewal');
    const stars = await paidWithStars(shop, renewal.orderId);
    await provisioning.extend(botId, sale.subscriptionId, renewal.orderId);
    expect(await world.orderStatus(renewal.orderId)).toBe('fulfilled');
    const renewed = await world.subscription(sale.subscriptionId);
    expect(new Date(renewed.expires_at!).getTime()).toBe(firstEnd + 30 * 86_400_000);
    expect(world.rw.account(sale.username)?.expireAt?.getTime()).toBe(firstEnd + 30 * 86_400_000);

    const res = await http()
      .post(`/v1/bots/${botId}/payments/${stars.paymentId}/refund`)
      .set(bearer(shop.bot))
      .send({})
      .expect(200);
    expect(res.body).toMatchObject({ id: stars.paymentId, status: 'refunded' });
    expect(await world.orderStatus(renewal.orderId)).toBe('refunded');
    expect(await world.orderStatus(sale.orderId)).toBe('fulfilled');
    expect(starsRefunds(shop.bot, stars.chargeId)).toHaveLength(1);

    // Only the renewal's 30 days come off: the first order's days stay, on the panel too.
    const jobs = await runDisableJobs(botId);
    const after = await world.subscription(sale.subscriptionId);
    expect(after.status).toBe('active');
    expect(new Date(after.expires_at!).getTime()).toBe(firstEnd);
    const account = world.rw.account(sale.username)!;
    expect(account.enabled).toBe(true);
    expect(account.expireAt?.getTime()).toBe(firstEnd);
    // The one job the refund queued named the renewal.
    expect(jobs.map((j) => j.data)).toEqual([
      { botId, subscriptionId: sale.subscriptionId, reason: 'refunded', orderId: renewal.orderId },
    ]);
  });

  it('a Stars-paid first purchase refunded through its payment switches the account off', async () => {
    const shop = await newShop(250);
    const botId = shop.bot.id;
    const pending = await ctx.newOrder(botId, { userId: shop.buyer.id, planId: shop.planId });
    const stars = await paidWithStars(shop, pending.orderId);
    const sale = await fulfil(botId, pending.orderId);
    // Paid with Stars: refunded through its payment, never through the order route.
    const orders = await http().get(`/v1/bots/${botId}/orders`).set(bearer(shop.bot)).expect(200);
    expect(orders.body.items.find((o: { id: string }) => o.id === sale.orderId)).toMatchObject({ refundable: false });

    await http()
      .post(`/v1/bots/${botId}/stars-payments/${stars.paymentId}/refund`)
      .set(bearer(shop.bot))
      .send({})
      .expect(200);
    expect(await world.orderStatus(sale.orderId)).toBe('refunded');
    expect(starsRefunds(shop.bot, stars.chargeId)).toHaveLength(1);
    await runDisableJobs(botId);
    expect((await world.subscription(sale.subscriptionId)).status).toBe('disabled');
    expect(world.rw.account(sale.username)?.enabled).toBe(false);
  });

  it('two concurrent refunds of one order: exactly one applies, the other is 409 ALREADY_REFUNDED', async () => {
    const shop = await newShop();
    const botId = shop.bot.id;
    const before = await shopWallet(botId);
    const paid = await ctx.newPaidOrder(botId, { userId: shop.buyer.id, planId: shop.planId, via: 'wallet' });
    const sale = await fulfil(botId, paid.orderId);
    expect(await balanceOf(shop.buyer.id)).toBe(0);

    const answers = await Promise.all(
      [1, 2].map(() =>
        http()
          .post(`/v1/bots/${botId}/orders/${sale.orderId}/refund`)
          .set(bearer(shop.bot))
          .send({ reason: 'Asked for the money back', to: 'wallet' }),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(answers.find((r) => r.status === 409)?.body.error.code).toBe(ErrorCode.ALREADY_REFUNDED);
    expect(await balanceOf(shop.buyer.id)).toBe(PRICE);
    expect(await shopWallet(botId)).toBe(before);
    const { user, wholesale } = await ledgers(botId, sale.orderId);
    expect(user.filter((k) => k.startsWith(`order:${sale.orderId}:refund=`))).toHaveLength(1);
    expect(wholesale.filter((k) => k.endsWith(':wholesale-refund'))).toHaveLength(1);
    expect(await disableJobs(botId)).toHaveLength(1);
  });

  it('a bad body is 400 and changes nothing; an unknown order is 404', async () => {
    const shop = await newShop();
    const botId = shop.bot.id;
    const sale = await approvedCardSale(shop);
    const before = await stateOf(botId, sale.orderId, [shop.buyer.id, shop.referrer.id]);
    for (const body of [
      {},
      { reason: 'x' },
      { reason: '', to: 'wallet' },
      { reason: 'x', to: 'bank' },
      { reason: 'x'.repeat(501), to: 'wallet' },
      { reason: 42, to: 'offline' },
    ]) {
      const res = await http().post(`/v1/bots/${botId}/orders/${sale.orderId}/refund`).set(bearer(shop.bot)).send(body);
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({
        body,
        status: 400,
        code: ErrorCode.VALIDATION_FAILED,
      });
    }
    await http()
      .post(`/v1/bots/${botId}/orders/00000000-0000-4000-8000-000000000000/refund`)
      .set(bearer(shop.bot))
      .send({ reason: 'x', to: 'wallet' })
      .expect(404);
    expect(await stateOf(botId, sale.orderId, [shop.buyer.id, shop.referrer.id])).toEqual(before);
  });

  it('a support agent is refused (403, nothing changes); an admin may not refund into the wallet, only offline (recorded, no wallet credit)', async () => {
    const shop = await newShop();
    const botId = shop.bot.id;
    const sale = await approvedCardSale(shop);
    const agent = 883_000_001;
    const admin = 883_000_002;
    await http()
      .put(`/v1/bots/${botId}/admins`)
      .set(bearer(shop.bot))
      .send({
        admins: [
          { telegramId: agent, role: 'support' },
          { telegramId: admin, role: 'admin' },
        ],
      })
      .expect(200);
    const before = await stateOf(botId, sale.orderId, [shop.buyer.id, shop.referrer.id]);
    const support = await signIn(botId, agent);
    for (const [path, body] of [
      [`orders/${sale.orderId}/refund`, { reason: 'Not mine to do', to: 'wallet' }],
      [`subscriptions/${sale.subscriptionId}/disable`, { reason: 'Not mine to do' }],
    ] as const) {
      const res = await http().post(`/v1/bots/${botId}/${path}`).set(support).send(body);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({
        path,
        status: 403,
        code: ErrorCode.FORBIDDEN,
      });
    }
    expect(await stateOf(botId, sale.orderId, [shop.buyer.id, shop.referrer.id])).toEqual(before);

    // An admin reviews receipts but may not grant balance: into the customer's wallet is refused, nothing changes.
    const adminSession = await signIn(botId, admin);
    const toWallet = await http()
      .post(`/v1/bots/${botId}/orders/${sale.orderId}/refund`)
      .set(adminSession)
      .send({ reason: 'Store credit instead', to: 'wallet' });
    expect({ status: toWallet.status, code: toWallet.body.error?.code }).toEqual({
      status: 403,
      code: ErrorCode.FORBIDDEN,
    });
    expect(await stateOf(botId, sale.orderId, [shop.buyer.id, shop.referrer.id])).toEqual(before);

    const res = await http()
      .post(`/v1/bots/${botId}/orders/${sale.orderId}/refund`)
      .set(adminSession)
      .send({ reason: 'Paid back by card transfer', to: 'offline' })
      .expect(200);
    expect(res.body).toMatchObject({ order: { status: 'refunded' }, walletCreditedMinor: 0 });
    expect(await balanceOf(shop.buyer.id)).toBe(0);
    expect((await ledgers(botId, sale.orderId)).wholesale).toContain(`order:${sale.orderId}:wholesale-refund`);
    await runDisableJobs(botId);
    expect(world.rw.account(sale.username)?.enabled).toBe(false);
    const audit = await http().get(`/v1/bots/${botId}/audit-log?pageSize=100`).set(bearer(shop.bot)).expect(200);
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({
        action: 'order.refund',
        targetId: sale.orderId,
        actorType: 'bot_admin',
        actorId: String(admin),
      }),
    );
  });

  it('a subscription is switched off by hand on its panel, audited; again is 409; a bad body is 400', async () => {
    const shop = await newShop();
    const botId = shop.bot.id;
    const sale = await approvedCardSale(shop);
    const path = `/v1/bots/${botId}/subscriptions/${sale.subscriptionId}/disable`;
    await http().post(path).set(bearer(shop.bot)).send({}).expect(400);
    expect(await disableJobs(botId)).toHaveLength(0);

    // A double press (both find it still active: the job has not run yet) queues one switch-off.
    const [res, twice] = await Promise.all(
      ['Shared the link publicly', 'Shared the link publicly'].map((reason) =>
        http().post(path).set(bearer(shop.bot)).send({ reason }),
      ),
    );
    expect([res.status, twice.status]).toEqual([202, 202]);
    expect(res.body.id).toBe(sale.subscriptionId);
    await waitFor(async () => ((await disableJobs(botId)).length ? true : undefined));
    expect(await disableJobs(botId)).toHaveLength(1);
    await runDisableJobs(botId);
    expect(world.rw.account(sale.username)?.enabled).toBe(false);
    expect((await world.subscription(sale.subscriptionId)).status).toBe('disabled');
    const audit = await http().get(`/v1/bots/${botId}/audit-log?pageSize=100`).set(bearer(shop.bot)).expect(200);
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({ action: 'subscription.disable', targetId: sale.subscriptionId }),
    );
    const again = await http().post(path).set(bearer(shop.bot)).send({ reason: 'Again' }).expect(409);
    expect(again.body.error.code).toBe(ErrorCode.CONFLICT);
    expect(await disableJobs(botId)).toHaveLength(0);
    // The order it came from is untouched: switching off is not a refund.
    expect(await world.orderStatus(sale.orderId)).toBe('fulfilled');
  });
});
