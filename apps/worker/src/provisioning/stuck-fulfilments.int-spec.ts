import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobName, JobQueue, QueueName, jobIdFor } from '@botfleet/jobs';
import { ProvisioningService } from '@botfleet/provisioning';
import { FulfilmentService } from '@botfleet/sales';
import { RemnawaveEmulator, TestContext, waitFor, WorkerWorld } from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';
import { SaleSweeper } from '../sales/sale-sweeper.service';

/**
 * Every fulfilling order ends, whatever its panel job was left in (the real worker: job runner, final-failure
 * hooks, the sweeper; real PostgreSQL, Redis, a Remnawave emulator that is down). The sweeper is called by
 * hand (its schedule is off) once the order has not moved for FULFILMENT_STUCK_AFTER_MS.
 */
describe('stuck fulfilments: the sweeper finishes them (worker, PostgreSQL, Redis, panel emulator)', () => {
  jest.setTimeout(60_000);

  let world: WorkerWorld;
  let ctx: TestContext;
  let detached: TestContext;
  let worker: INestApplication;
  let platform: DataSource;
  let rw: RemnawaveEmulator;
  let botId: string;
  let planId: string;

  const order = async (id: string) => ({ status: await world.orderStatus(id) });
  const balance = async (userId: string) =>
    Number((await platform.query(`SELECT balance_minor FROM users WHERE id = $1`, [userId]))[0].balance_minor);
  const jobState = (orderId: string) =>
    worker
      .get(JobQueue)
      .queue(QueueName.Provisioning)
      .getJobState(jobIdFor(JobName.ProvisionSubscription, [botId, orderId]));
  const stuckLongEnough = () => new Promise((r) => setTimeout(r, 1_100));

  beforeAll(async () => {
    world = await WorkerWorld.start({
      env: {
        PROVISIONING_ATTEMPTS: '2',
        PROVISIONING_BACKOFF_MS: '50',
        SALE_SWEEP_INTERVAL_MS: '0',
        TRAFFIC_SYNC_INTERVAL_MS: '0',
        FULFILMENT_STUCK_AFTER_MS: '1000',
      },
      panels: ['remnawave'],
    });
    ({ ctx, platform, rw } = world);
    // Its jobs go where no worker reads: an order whose job never reached the queue.
    detached = await world.newContext({ jobs: 'detached' });
    const panel = await world.newRemnawavePanel();
    botId = (await ctx.newBot({ walletMinor: 1_000_000 })).id;
    planId = (await ctx.newPlan(botId, { panelId: panel.id, priceMinor: 1000 })).id;
    // The panel does not answer: every provisioning attempt fails, and the last one fails for good.
    await rw.down();
    worker = await world.startWorker(createWorkerApp);
  });

  afterAll(() => world?.close());

  it('a final failure whose hook could not write (database down at that moment) is refunded by the sweeper', async () => {
    const provisioning = worker.get(ProvisioningService);
    // The hook's write fails, on the last attempt and again when the runner tries once more after it.
    const hook = jest.spyOn(provisioning, 'fail').mockRejectedValue(new Error('connection terminated unexpectedly'));
    let paid: Awaited<ReturnType<TestContext['newPaidOrder']>>;
    try {
      paid = await ctx.newPaidOrder(botId, { planId });
      await waitFor(async () => (await jobState(paid.orderId)) === 'failed', 20_000);
      await waitFor(() => hook.mock.calls.length >= 2, 5_000);
    } finally {
      hook.mockRestore();
    }
    expect(await order(paid.orderId)).toEqual({ status: 'fulfilling' });
    const before = await balance(paid.userId);

    await stuckLongEnough();
    await worker.get(SaleSweeper).sweep();

    expect(await order(paid.orderId)).toEqual({ status: 'refunded' });
    expect(await balance(paid.userId)).toBe(before + paid.order.amountMinor);
    // A second sweep finds nothing left to do.
    await worker.get(SaleSweeper).sweep();
    expect(await balance(paid.userId)).toBe(before + paid.order.amountMinor);
  });

  it('an order whose job never reached the queue gets it queued, and then ends like any other', async () => {
    const paid = await detached.newPaidOrder(botId, { planId });
    expect(await jobState(paid.orderId)).toBe('unknown');
    await stuckLongEnough();
    await worker.get(SaleSweeper).sweep();
    await waitFor(async () => (await order(paid.orderId)).status === 'refunded', 20_000);
  });

  it('a job that completed without the order moving (its outcome was not written) is run again and fulfils it', async () => {
    await rw.up();
    const fulfilment = worker.get(FulfilmentService);
    // The panel said yes, but the order's move to fulfilled is lost (the write did not happen).
    const outcome = jest.spyOn(fulfilment, 'succeeded').mockResolvedValue(false);
    let paid: Awaited<ReturnType<TestContext['newPaidOrder']>>;
    try {
      paid = await ctx.newPaidOrder(botId, { planId });
      await waitFor(async () => (await jobState(paid.orderId)) === 'completed', 20_000);
    } finally {
      outcome.mockRestore();
    }
    expect(await order(paid.orderId)).toEqual({ status: 'fulfilling' });
    const accounts = rw.accountCount();

    await stuckLongEnough();
    await worker.get(SaleSweeper).sweep();

    await waitFor(async () => (await order(paid.orderId)).status === 'fulfilled', 20_000);
    expect(rw.accountCount()).toBe(accounts);
  });
});
