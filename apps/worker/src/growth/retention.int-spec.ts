import { DataSource } from 'typeorm';
import { OrderHooks, UserLedgerService, WholesaleWalletService } from '@botfleet/billing';
import { ConfigurationsService, FeaturesService } from '@botfleet/catalog';
import { TenantRepositories } from '@botfleet/dal';
import { AutoRenewals, isTrialUsed, StartTrialUseCase } from '@botfleet/growth';
import { JobName, QueueName } from '@botfleet/jobs';
import { SaleCallbacks } from '@botfleet/telegram';
import { RemnawaveEmulator, TelegramEmulator, TestBot, TestContext, waitFor, WorkerWorld } from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';
import { RetentionScanHandler } from './retention-scan.handler';

const DAY = 24 * 60 * 60 * 1000;
const GB = 1024 ** 3;

/**
 * Trial, reminders and auto-renew against a real worker (PostgreSQL, Redis, the Telegram and Remnawave
 * emulators). Time is the scan's `now`, passed by the test: no sleeping, no rows written by hand.
 */
describe('growth: trial, reminders, auto-renew (worker)', () => {
  jest.setTimeout(120_000);
  let world: WorkerWorld;
  let ctx: TestContext;
  let telegram: TelegramEmulator;
  let rw: RemnawaveEmulator;
  let platform: DataSource;
  let scan: RetentionScanHandler;
  let bot: TestBot;
  let panelId: string;

  const activeSub = async (subscriptionId: string) => {
    await waitFor(async () => (await world.subscription(subscriptionId)).status === 'active', 30_000);
    return world.subscription(subscriptionId);
  };
  const messagesTo = (chatId: number, part: string) =>
    telegram
      .getChatMessages(bot.telegram.id, chatId)
      .filter((m) => m.direction === 'bot' && (m.text ?? '').includes(part));
  const buttonsOf = (m: { replyMarkup?: unknown }) =>
    ((m.replyMarkup as { inline_keyboard?: { callback_data?: string }[][] })?.inline_keyboard ?? []).flat();
  /** A customer who opened the bot, with an active subscription on the Remnawave panel (30 days, 10 GB). */
  const customerWithSub = async () => {
    const paid = await ctx.newPaidOrder(bot.id, {
      plan: { panelId, periodDays: 30, trafficLimitGb: 10, priceMinor: 1_000 },
    });
    telegram.sendText(bot.telegram.id, { from: { id: paid.telegramId, first_name: 'C' }, text: '/help' });
    const sub = await activeSub(paid.subscriptionId);
    return { ...paid, expiresAt: sub.expires_at!, panelUsername: sub.panel_username! };
  };
  const balanceOf = (userId: string) => ctx.get(UserLedgerService).balance(bot.id, userId);
  /**
   * A customer with a subscription (`customerWithSub`) on auto-renew and 1 000 in the wallet; `due` is half a day
   * before its end (a renewal is due: daysBefore 1), `renewals()` lists its renewal orders.
   */
  const autoRenewingCustomer = async () => {
    const c = await customerWithSub();
    await ctx.get(AutoRenewals).set(bot.id, c.userId, c.subscriptionId, true);
    await ctx.deposit(bot.id, c.userId, 1_000);
    const due = new Date(c.expiresAt.getTime() - 0.5 * DAY);
    const renewals = () =>
      ctx.get(TenantRepositories).orders.find(bot.id, { where: { subscriptionId: c.subscriptionId, kind: 'renewal' } });
    return { c, due, renewals };
  };

  beforeAll(async () => {
    world = await WorkerWorld.start({
      // The scheduler stays off: the tests run the scan with their own clock.
      env: {
        RETENTION_SCAN_INTERVAL_MS: '0',
        TRAFFIC_SYNC_INTERVAL_MS: '0',
        PROVISIONING_ATTEMPTS: '2',
        PROVISIONING_BACKOFF_MS: '50',
      },
      panels: ['remnawave'],
    });
    ({ ctx, telegram, rw, platform } = world);
    panelId = (await world.newRemnawavePanel()).id;
    bot = await ctx.newBot({ walletMinor: 10_000_000 });
    for (const key of ['wallet', 'trial_subscription', 'auto_renewal'] as const) {
      await ctx.get(FeaturesService).set(bot.id, key, true, key === 'auto_renewal' ? { daysBefore: 1 } : undefined);
    }
    const app = await world.startWorker(createWorkerApp);
    scan = app.get(RetentionScanHandler);
  });
  afterAll(() => world?.close());

  it('/trial twice at once gives one trial, one panel account, charged at the trial wholesale price', async () => {
    await ctx.setWholesalePrice(bot.id, { perPlanMinor: 50_000, trialMinor: 7_000 });
    const plan = await ctx.newPlan(bot.id, {
      name: { en: 'Trial' },
      priceMinor: 0,
      periodDays: 1,
      trafficLimitGb: 1,
      isTrial: true,
      panelId,
    });
    await ctx.get(ConfigurationsService).set(bot.id, 'trial_plan_id', plan.id);
    const user = await ctx.newUser(bot.id);
    const accounts = rw.accountCount();
    const shop = ctx.get(WholesaleWalletService);
    const before = await shop.wallet(bot.id);
    const trial = ctx.get(StartTrialUseCase);
    const results = await Promise.allSettled([
      trial.execute({ botId: bot.id, userId: user.id }),
      trial.execute({ botId: bot.id, userId: user.id }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect([won.length, lost.length]).toEqual([1, 1]);
    expect(isTrialUsed(lost[0].reason)).toBe(true);
    const { order, subscriptionId } = (
      won[0] as PromiseFulfilledResult<Awaited<ReturnType<StartTrialUseCase['execute']>>>
    ).value;
    expect(order).toMatchObject({ kind: 'trial', paymentMethod: 'free', amountMinor: 0, wholesaleMinor: 7_000 });
    await activeSub(subscriptionId);
    await waitFor(async () => (await world.orderStatus(order.id)) === 'fulfilled', 20_000);
    expect(rw.accountCount()).toBe(accounts + 1);
    // The shop paid the trial price once (captured, nothing left held), and the trial's traffic counts as sold.
    const after = await shop.wallet(bot.id);
    expect([before.balanceMinor - after.balanceMinor, after.heldMinor - before.heldMinor]).toEqual([7_000, 0]);
    const [{ sold }] = await platform.query(`SELECT traffic_sold_bytes::text AS sold FROM bots WHERE id = $1`, [
      bot.id,
    ]);
    expect(Number(sold)).toBeGreaterThanOrEqual(GB);
    // Once: a later try is refused too, and nothing is written.
    const again = await trial.execute({ botId: bot.id, userId: user.id }).catch((e: unknown) => e);
    expect(isTrialUsed(again)).toBe(true);
    const trials = await ctx.get(TenantRepositories).orders.count(bot.id, { userId: user.id, kind: 'trial' });
    expect(trials).toBe(1);
    expect(await trial.available(bot.id, user.id)).toBe(false);
  });

  it('reminds 3 days and 1 day before the end, at 80 % and 100 % traffic, and once ended — each once, two scans at once', async () => {
    const c = await customerWithSub();
    const end = c.expiresAt.getTime();
    expect(await scan.run(new Date(end - 5 * DAY))).toMatchObject({ reminded: 0 });
    expect(messagesTo(c.telegramId, 'ends in')).toHaveLength(0);

    // Two schedulers at the same moment: one message.
    const at3 = new Date(end - 2.5 * DAY);
    await Promise.all([scan.run(at3), scan.run(at3)]);
    const three = messagesTo(c.telegramId, 'ends in 3 day');
    expect(three).toHaveLength(1);
    expect(buttonsOf(three[0]).map((b) => b.callback_data)).toEqual([SaleCallbacks.renew(c.planId, c.subscriptionId)]);
    await scan.run(new Date(end - 2 * DAY));
    expect(messagesTo(c.telegramId, 'ends in 3 day')).toHaveLength(1);

    await Promise.all([scan.run(new Date(end - 0.5 * DAY)), scan.run(new Date(end - 0.4 * DAY))]);
    expect(messagesTo(c.telegramId, 'ends in 1 day')).toHaveLength(1);

    // Traffic from the panel's figures (the traffic sync): 85 % → the 80 % reminder; 100 % → the 100 % one.
    const sync = async (bytes: number) => {
      rw.setUsedTraffic(c.panelUsername, bytes);
      const q = world.queue(QueueName.Provisioning);
      const job = await q.add(JobName.SyncPanelTraffic, {}, { attempts: 1 });
      await waitFor(async () => (await q.getJobState(job.id!)) === 'completed', 20_000);
      await waitFor(async () => Number((await world.subscription(c.subscriptionId)).traffic_used) === bytes, 10_000);
    };
    await sync(8.5 * GB);
    await Promise.all([scan.run(new Date(end - 0.3 * DAY)), scan.run(new Date(end - 0.3 * DAY))]);
    expect(messagesTo(c.telegramId, 'used 80%')).toHaveLength(1);
    await sync(10 * GB);
    await scan.run(new Date(end - 0.2 * DAY));
    await scan.run(new Date(end - 0.2 * DAY));
    expect(messagesTo(c.telegramId, 'used 100%')).toHaveLength(1);
    expect(messagesTo(c.telegramId, 'used 80%')).toHaveLength(1);

    await Promise.all([scan.run(new Date(end + 60_000)), scan.run(new Date(end + 120_000))]);
    expect(messagesTo(c.telegramId, 'has ended')).toHaveLength(1);
    const rows = await platform.query(
      `SELECT dedupe_key FROM sent_notifications WHERE subscription_id = $1 AND kind LIKE 'reminder_%' ORDER BY 1`,
      [c.subscriptionId],
    );
    expect(rows).toHaveLength(5);
  });

  it("the tenant's thresholds and texts replace ours", async () => {
    const own = await ctx.newBot({ walletMinor: 1_000_000 });
    await ctx.get(ConfigurationsService).set(own.id, 'reminders', {
      expiryDays: [5],
      expired: false,
      trafficPercents: [90],
      texts: { expiring: { en: 'Only {days} days left of <{plan}>!' } },
    });
    const paid = await ctx.newPaidOrder(own.id, { plan: { panelId, periodDays: 30, name: { en: 'Gold' } } });
    telegram.sendText(own.telegram.id, { from: { id: paid.telegramId, first_name: 'C' }, text: '/help' });
    const end = (await activeSub(paid.subscriptionId)).expires_at!.getTime();
    await scan.run(new Date(end - 4 * DAY));
    await scan.run(new Date(end - 0.5 * DAY));
    await scan.run(new Date(end + DAY));
    const got = telegram
      .getChatMessages(own.telegram.id, paid.telegramId)
      .filter((m) => m.direction === 'bot' && /left|ends|ended/.test(m.text ?? ''));
    expect(got.map((m) => m.sourceText)).toEqual(['Only 5 days left of &lt;Gold&gt;!']);
  });

  it('auto-renew pays the renewal from the wallet once, two scans at once; short of money → one top-up notice', async () => {
    const { c, due, renewals } = await autoRenewingCustomer();
    const end = c.expiresAt.getTime();
    // Not yet due (daysBefore 1).
    expect((await scan.run(new Date(end - 2 * DAY))).renewed).toBe(0);
    const [a, b] = await Promise.all([scan.run(due), scan.run(due)]);
    expect(a.renewed + b.renewed).toBe(1);
    const orders = await renewals();
    expect(orders).toHaveLength(1);
    expect(orders[0].paymentMethod).toBe('wallet');
    expect(await balanceOf(c.userId)).toBe(0);
    // The extension reaches the panel; the period moves on by the plan's 30 days.
    await waitFor(async () => (await world.orderStatus(orders[0].id)) === 'fulfilled', 30_000);
    expect((await world.subscription(c.subscriptionId)).expires_at!.getTime()).toBe(end + 30 * DAY);
    // Renewed: the 3-day reminder went out before, but no "ends in 1 day" for that period.
    expect(messagesTo(c.telegramId, 'ends in 3 day')).toHaveLength(1);
    expect(messagesTo(c.telegramId, 'ends in 1 day')).toHaveLength(0);

    // The next period: the wallet is empty → no order, no debit, one notice with a top-up button.
    const next = new Date(end + 30 * DAY - 0.5 * DAY);
    const [x, y] = await Promise.all([scan.run(next), scan.run(next)]);
    expect(x.short + y.short).toBe(1);
    expect(await balanceOf(c.userId)).toBe(0);
    expect(
      await ctx.get(TenantRepositories).orders.count(bot.id, { subscriptionId: c.subscriptionId, kind: 'renewal' }),
    ).toBe(1);
    const short = messagesTo(c.telegramId, 'Auto-renew could not renew');
    expect(short).toHaveLength(1);
    expect(buttonsOf(short[0]).map((b) => b.callback_data)).toEqual(['wt:m:1000']);
    await scan.run(next);
    expect(messagesTo(c.telegramId, 'Auto-renew could not renew')).toHaveLength(1);
  });

  it("auto-renew waits while the customer is paying another order (the sale's one pending order is theirs)", async () => {
    const { c, due } = await autoRenewingCustomer();
    const open = await ctx.newOrder(bot.id, { userId: c.userId, plan: { priceMinor: 5_000 } });
    expect((await scan.run(due)).renewed).toBe(0);
    expect(await world.orderStatus(open.orderId)).toBe('pending');
    expect(await balanceOf(c.userId)).toBe(1_000);
  });

  it("a renewal the panel refuses for good is refunded to the wallet (the sale's failure path), and not retried", async () => {
    const { c, due, renewals } = await autoRenewingCustomer();
    await rw.down();
    try {
      expect((await scan.run(due)).renewed).toBe(1);
      const [order] = await renewals();
      await waitFor(async () => (await world.orderStatus(order.id)) === 'refunded', 30_000);
    } finally {
      await rw.up();
    }
    expect(await balanceOf(c.userId)).toBe(1_000);
    expect((await scan.run(due)).renewed).toBe(0);
    expect(
      await ctx.get(TenantRepositories).orders.count(bot.id, { subscriptionId: c.subscriptionId, kind: 'renewal' }),
    ).toBe(1);
  });

  it('a renewal whose payment step fails leaves nothing behind, and the next scan renews it once, charged once', async () => {
    const { c, due, renewals } = await autoRenewingCustomer();
    const shopHeld = async () => (await ctx.get(WholesaleWalletService).wallet(bot.id)).heldMinor;
    const heldBefore = await shopHeld();
    // The move to `paid` fails once (an order-move listener of the worker throws, as a promo or referral listener
    // whose statement fails would): the wallet payment, the renewal's second step, fails after its order exists.
    let failures = 1;
    world.worker.get(OrderHooks).onMoved(async (botId, order) => {
      if (botId === bot.id && order.to === 'paid' && failures > 0) {
        failures -= 1;
        throw new Error('the payment step failed');
      }
    });
    expect((await scan.run(due)).renewed).toBe(0);
    expect(failures).toBe(0);
    // Nothing charged, and no order left half-made: no pending renewal holding the shop's wholesale cost (a
    // superseded or expired one would have ended this period's renewal for good).
    expect(await balanceOf(c.userId)).toBe(1_000);
    expect(await renewals()).toHaveLength(0);
    expect(await shopHeld()).toBe(heldBefore);

    expect((await scan.run(due)).renewed).toBe(1);
    expect((await scan.run(due)).renewed).toBe(0);
    const orders = await renewals();
    expect(orders).toHaveLength(1);
    await waitFor(async () => (await world.orderStatus(orders[0].id)) === 'fulfilled', 30_000);
    expect(await balanceOf(c.userId)).toBe(0);
    const charges = await ctx
      .get(TenantRepositories)
      .transactions.find(bot.id, { where: { userId: c.userId, type: 'purchase', orderId: orders[0].id } });
    expect(charges).toHaveLength(1);
    expect((await world.subscription(c.subscriptionId)).expires_at!.getTime()).toBe(c.expiresAt.getTime() + 30 * DAY);
  });

  it('a renewal whose wallet payment is refused after its order exists leaves no order and no charge', async () => {
    const { c, due, renewals } = await autoRenewingCustomer();
    // The shop turns wallet payments off: the renewal's order is opened, then its payment is refused (a domain
    // refusal, answered as "unavailable" rather than thrown) — the refusal must undo the order as a throw does.
    await ctx.get(FeaturesService).set(bot.id, 'wallet', false);
    try {
      expect((await scan.run(due)).renewed).toBe(0);
      expect(await renewals()).toHaveLength(0);
      expect(await balanceOf(c.userId)).toBe(1_000);
    } finally {
      await ctx.get(FeaturesService).set(bot.id, 'wallet', true);
    }
    // Wallet payments back on: the next scan renews this period, charged once.
    expect((await scan.run(due)).renewed).toBe(1);
    const orders = await renewals();
    expect(orders).toHaveLength(1);
    await waitFor(async () => (await world.orderStatus(orders[0].id)) === 'fulfilled', 30_000);
    expect(await balanceOf(c.userId)).toBe(0);
  });

  it("auto-renew is the customer's own: another user's subscription or a trial cannot be switched", async () => {
    const c = await customerWithSub();
    const other = await ctx.newUser(bot.id);
    const renewals = ctx.get(AutoRenewals);
    await expect(renewals.set(bot.id, other.id, c.subscriptionId, true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const sub = await ctx.get(TenantRepositories).subscriptions.findById(bot.id, c.subscriptionId);
    expect(sub?.autoRenew).toBe(false);
    const tryer = await ctx.newUser(bot.id);
    const trial = await ctx.get(StartTrialUseCase).execute({ botId: bot.id, userId: tryer.id });
    await activeSub(trial.subscriptionId);
    await expect(renewals.set(bot.id, tryer.id, trial.subscriptionId, true)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
