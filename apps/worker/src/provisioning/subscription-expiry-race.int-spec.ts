import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { RedisModule } from '@botfleet/common';
import { ConfigModule } from '@botfleet/config';
import { DalModule } from '@botfleet/dal';
import { JobsModule } from '@botfleet/jobs';
import { PlatformDbModule } from '@botfleet/platform';
import { panelUsername, ProvisioningService, SUBSCRIPTION_EXPIRED } from '@botfleet/provisioning';
import { SecretsModule } from '@botfleet/secrets';
import {
  applyEnv,
  createTestEnv,
  REMNAWAVE_DEFAULT_SQUAD_UUID,
  RemnawaveEmulator,
  TestContext,
  TestEnv,
} from '@botfleet/testing';
import { ProvisioningWorkerModule } from './provisioning-worker.module';

const DAY = 86_400_000;
const RW_KEY = 'rw-expiry-race-4be2';

/**
 * Expiry racing a renewal (real PostgreSQL row locks, the Remnawave emulator): whichever runs first, the
 * renewal wins — the subscription ends `active` with the renewed end and its account switched on, whether the
 * expiry's panel switch-off ran before the renewal (which switches it on again) or after (which leaves it be). The services are run by hand, concurrently.
 */
describe('subscription expiry against a concurrent renewal', () => {
  jest.setTimeout(60_000);

  let env: TestEnv;
  let ctx: TestContext;
  let restoreEnv: () => void;
  let app: INestApplication;
  let platform: DataSource;
  let service: ProvisioningService;
  let rw: RemnawaveEmulator;

  beforeAll(async () => {
    env = await createTestEnv({ TRAFFIC_SYNC_INTERVAL_MS: '0', SUBSCRIPTION_EXPIRY_INTERVAL_MS: '0' });
    restoreEnv = applyEnv(env.vars);
    rw = new RemnawaveEmulator({ apiKey: RW_KEY });
    await rw.start();
    platform = await env.db.platform();
    // Jobs the sale queues go where no consumer reads: the test runs the provisioning service by hand.
    ctx = await TestContext.create({ env, jobs: 'detached' });
    const mod = await Test.createTestingModule({
      imports: [
        ConfigModule,
        SecretsModule,
        DalModule,
        PlatformDbModule,
        RedisModule,
        JobsModule,
        ProvisioningWorkerModule,
      ],
    }).compile();
    app = mod.createNestApplication({ logger: false });
    await app.init();
    service = app.get(ProvisioningService);
  });

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
    await rw?.stop();
    restoreEnv?.();
    await env?.cleanup();
  });

  it('ten rounds of expiry and renewal at once always end active, renewed and switched on', async () => {
    const panel = await ctx.newPanel({
      type: 'remnawave',
      baseUrl: rw.url,
      credentials: { apiKey: RW_KEY },
      settings: { activeInternalSquads: [REMNAWAVE_DEFAULT_SQUAD_UUID] },
    });
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

      const [row] = await platform.query(`SELECT status, expires_at FROM subscriptions WHERE id = $1`, [
        p.subscriptionId,
      ]);
      expect(row.status).toBe('active');
      expect(new Date(row.expires_at).getTime()).toBeGreaterThan(Date.now() + 9 * DAY);
      expect(rw.account(panelUsername(p.subscriptionId, 'remnawave'))?.enabled).toBe(true);
    }
  });
});
