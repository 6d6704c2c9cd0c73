import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Actors } from '@botfleet/common';
import { JobQueue, QueueName } from '@botfleet/jobs';
import { MasterBotRegistry } from '@botfleet/operator';
import { RefundOrderUseCase, takeBackJobId } from '@botfleet/payments';
import { provisioningKeys, SUBSCRIPTION_EXPIRED } from '@botfleet/provisioning';
import { RemnawaveEmulator, TestContext, waitFor, WorkerWorld } from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';
import { SaleSweeper } from '../sales/sale-sweeper.service';
import { ProvisioningProcessor } from './provisioning.processor';

const ADMIN = 7_301;

/**
 * A refunded order's take-back (DisableSubscription with its id) that runs out of attempts is not lost: its
 * final-failure hook records it on the subscription and tells the operator through the master bot, and the sale
 * sweep queues it again (same job id) until its `taken_back` record exists. The real worker (job runner, hooks,
 * sweeper called by hand), PostgreSQL, Redis, the Telegram emulator and a Remnawave emulator answering 500.
 */
describe("a refunded order's take-back that gives up (worker, PostgreSQL, Redis, panel emulator)", () => {
  jest.setTimeout(90_000);

  let world: WorkerWorld;
  let ctx: TestContext;
  let worker: INestApplication;
  let platform: DataSource;
  let rw: RemnawaveEmulator;
  let master: { id: number; token: string; username: string };
  let botId: string;
  let planId: string;

  const events = async (dedupeKey: string) =>
    (await platform.query(`SELECT type, data FROM subscription_events WHERE dedupe_key = $1`, [dedupeKey])) as {
      type: string;
      data: Record<string, unknown>;
    }[];
  const alertsAbout = (orderId: string) =>
    world.telegram.getChatMessages(master.id, ADMIN).filter((m) => m.direction === 'bot' && m.text?.includes(orderId));
  const refundJobState = (subscriptionId: string, orderId: string) =>
    worker
      .get(JobQueue)
      .queue(QueueName.Provisioning)
      .getJobState(takeBackJobId(botId, subscriptionId, orderId));
  const pastTheGrace = () => new Promise((r) => setTimeout(r, 1_100));

  beforeAll(async () => {
    world = await WorkerWorld.start({
      env: {
        PROVISIONING_ATTEMPTS: '2',
        PROVISIONING_BACKOFF_MS: '50',
        SALE_SWEEP_INTERVAL_MS: '0',
        TRAFFIC_SYNC_INTERVAL_MS: '0',
        FULFILMENT_STUCK_AFTER_MS: '1000',
        MASTER_ADMIN_TELEGRAM_IDS: String(ADMIN),
        OPERATOR_ALERT_INTERVAL_MS: '0',
      },
      panels: ['remnawave'],
    });
    ({ ctx, platform, rw } = world);
    master = world.telegram.createBot({ username: 'takeback_master_bot', firstName: 'Ops' });
    await ctx.get(MasterBotRegistry).register({
      token: master.token,
      telegramBotId: master.id,
      username: master.username,
      firstName: 'Ops',
      adminTelegramIds: [ADMIN],
    });
    const panel = await world.newRemnawavePanel();
    botId = (await ctx.newBot({ walletMinor: 1_000_000 })).id;
    planId = (await ctx.newPlan(botId, { panelId: panel.id, priceMinor: 1000 })).id;
    worker = await world.startWorker(createWorkerApp);
  });

  afterAll(() => world?.close());

  it('the hook records it and alerts the operator; the sweep queues it again and, the panel back, it happens once', async () => {
    const paid = await ctx.newPaidOrder(botId, { planId });
    await waitFor(async () => (await world.orderStatus(paid.orderId)) === 'fulfilled', 30_000);
    const username = (await world.subscription(paid.subscriptionId)).panel_username!;
    expect(rw.account(username)?.enabled).toBe(true);

    // The panel answers 500 to everything: every attempt of the take-back fails, the last one for good.
    rw.fail5xxNext(1_000_000, 500);
    await ctx.get(RefundOrderUseCase).execute({
      botId,
      orderId: paid.orderId,
      reason: 'Asked for the money back',
      to: 'offline',
      actor: Actors.tenantApi(botId),
    });
    await waitFor(async () => (await refundJobState(paid.subscriptionId, paid.orderId)) === 'failed', 30_000);
    await waitFor(async () => (await events(provisioningKeys.takeBackFailed(paid.orderId))).length === 1, 10_000);
    expect((await events(provisioningKeys.takeBackFailed(paid.orderId)))[0]).toMatchObject({
      type: 'take_back_failed',
      data: { orderId: paid.orderId, reason: 'refunded' },
    });
    await waitFor(() => alertsAbout(paid.orderId).length === 1, 10_000);
    expect(alertsAbout(paid.orderId)[0].text).toContain(paid.subscriptionId);
    expect(await events(provisioningKeys.takenBack(paid.orderId))).toEqual([]);
    expect(rw.account(username)?.enabled).toBe(true);

    // The panel is back: the sweep queues the take-back again under the same job id, and it is done once.
    await rw.clearFaults();
    await pastTheGrace();
    const first = await worker.get(SaleSweeper).sweep();
    expect(first.takeBacksRequeued).toBe(1);
    await waitFor(async () => (await events(provisioningKeys.takenBack(paid.orderId))).length === 1, 20_000);
    await waitFor(() => rw.account(username)?.enabled === false, 20_000);
    expect((await world.subscription(paid.subscriptionId)).status).toBe('disabled');

    // Nothing left to do: a later sweep queues nothing, the operator heard of it once.
    const second = await worker.get(SaleSweeper).sweep();
    expect(second.takeBacksRequeued).toBe(0);
    expect(await events(provisioningKeys.takenBack(paid.orderId))).toHaveLength(1);
    expect(alertsAbout(paid.orderId)).toHaveLength(1);
  });

  it("an expiry's switch-off that gives up is neither recorded nor alerted (the subscription is expired anyway)", async () => {
    const paid = await ctx.newPaidOrder(botId, { via: 'card', planId });
    await waitFor(async () => (await world.orderStatus(paid.orderId)) === 'fulfilled', 20_000);
    const outcome = await worker
      .get(ProvisioningProcessor)
      .disableFailed(
        { botId, subscriptionId: paid.subscriptionId, reason: SUBSCRIPTION_EXPIRED },
        new Error('panel 500'),
      );
    expect(outcome).toBe('failed');
    const recorded = (await platform.query(
      `SELECT type FROM subscription_events WHERE subscription_id = $1 AND type = 'disable_failed'`,
      [paid.subscriptionId],
    )) as unknown[];
    expect(recorded).toEqual([]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(
      world.telegram
        .getChatMessages(master.id, ADMIN)
        .filter((m) => m.direction === 'bot' && m.text?.includes(paid.subscriptionId)),
    ).toEqual([]);
  });
});
