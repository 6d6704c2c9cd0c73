import { DataSource } from 'typeorm';
import { panelUsername, ProvisioningService, SUBSCRIPTION_EXPIRED } from '@botfleet/provisioning';
import { createModuleApp, RemnawaveEmulator, TestContext, WorkerWorld } from '@botfleet/testing';
import { ProvisioningWorkerModule } from './provisioning-worker.module';

const DAY = 86_400_000;

/**
 * Expiry racing a renewal (real PostgreSQL row locks, the Remnawave emulator): whichever runs first, the
 * renewal wins — the subscription ends `active` with the renewed end and its account switched on, whether the
 * expiry's panel switch-off ran before the renewal (which switches it on again) or after (which leaves it be). The services are run by hand, concurrently.
 */
describe('subscription expiry against a concurrent renewal', () => {
  jest.setTimeout(60_000);

  let world: WorkerWorld;
  let ctx: TestContext;
  let platform: DataSource;
  let service: ProvisioningService;
  let rw: RemnawaveEmulator;

  beforeAll(async () => {
    world = await WorkerWorld.start({
      env: { TRAFFIC_SYNC_INTERVAL_MS: '0', SUBSCRIPTION_EXPIRY_INTERVAL_MS: '0' },
      telegram: false,
      panels: ['remnawave'],
      // Jobs the sale queues go where no consumer reads: the test runs the provisioning service by hand.
      jobs: 'detached',
      createWorker: () => createModuleApp({ imports: [ProvisioningWorkerModule] }),
    });
    ({ ctx, platform, rw } = world);
    service = world.worker.get(ProvisioningService);
  });

  afterAll(() => world?.close());

  it('ten rounds of expiry and renewal at once always end active, renewed and switched on', async () => {
    const panel = await world.newRemnawavePanel();
    const bot = await ctx.newBot({ walletMinor: 10_000_000 });
    for (let round = 0; round < 10; round++) {
      const p = await ctx.newPaidOrder(bot.id, { plan: { panelId: panel.id, periodDays: 30 } });
      await service.provision(bot.id, p.subscriptionId, p.orderId);
      const renewal = await ctx.newPaidOrder(bot.id, {
        userId: p.userId,
        renewSubscriptionId: p.subscriptionId,
        plan: { panelId: panel.id, periodDays: 10 },
      });
      // An end in the past is time the product cannot make.
      await platform.query(`UPDATE subscriptions SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
        p.subscriptionId,
      ]);

      // The expiry and the switch-off it queues, against the renewal.
      await Promise.all([
        service
          .expire(bot.id, p.subscriptionId)
          .then(() => service.disable(bot.id, p.subscriptionId, SUBSCRIPTION_EXPIRED)),
        service.extend(bot.id, p.subscriptionId, renewal.orderId),
      ]);

      const row = await world.subscription(p.subscriptionId);
      expect(row.status).toBe('active');
      expect(row.expires_at!.getTime()).toBeGreaterThan(Date.now() + 9 * DAY);
      expect(rw.account(panelUsername(p.subscriptionId, 'remnawave'))?.enabled).toBe(true);
    }
  });
});
