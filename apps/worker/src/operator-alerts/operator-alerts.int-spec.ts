import { Test } from '@nestjs/testing';
import { RedisModule } from '@botfleet/common';
import { ConfigModule } from '@botfleet/config';
import { DalModule } from '@botfleet/dal';
import { JobsModule } from '@botfleet/jobs';
import { MasterBotRegistry, OperatorAlertsService } from '@botfleet/operator';
import { PlatformDbModule } from '@botfleet/platform';
import { SecretsModule } from '@botfleet/secrets';
import { TcpProxy, WorkerWorld } from '@botfleet/testing';
import { UnrecoverableError } from 'bullmq';
import { ProvisioningProcessor } from '../provisioning/provisioning.processor';
import { ProvisioningWorkerModule } from '../provisioning/provisioning-worker.module';
import { OperatorAlertsModule } from './operator-alerts.module';

/**
 * Operator alerts through the master bot, with two workers (two apps on one database and Redis) scanning at
 * the same time: each alert reaches each master admin once per episode; an episode ends when its condition
 * clears (the next time is news again); one-off events are told once however often they are reported.
 */
describe('operator alerts', () => {
  const ADMINS = [7_001, 7_002];
  let world: WorkerWorld;
  let a: OperatorAlertsService;
  let b: OperatorAlertsService;
  let master: { id: number; token: string; username: string };
  let proxy: TcpProxy;
  let provisioning: ProvisioningProcessor;

  const alertsTo = (admin: number, needle: string) =>
    world.telegram.getChatMessages(master.id, admin).filter((m) => m.direction === 'bot' && m.text?.includes(needle));
  const bothScan = () => Promise.all([a.scan(), b.scan(), a.scan(), b.scan()]);

  beforeAll(async () => {
    world = await WorkerWorld.start({
      env: {
        MASTER_ADMIN_TELEGRAM_IDS: ADMINS.join(','),
        OPERATOR_ALERT_INTERVAL_MS: '0',
        OPERATOR_WALLET_ALERT_MINOR: '100000',
      },
      panels: ['remnawave'],
    });
    master = world.telegram.createBot({ username: 'ops_master_bot', firstName: 'Ops' });
    await world.ctx.get(MasterBotRegistry).register({
      token: master.token,
      telegramBotId: master.id,
      username: master.username,
      firstName: 'Ops',
      adminTelegramIds: ADMINS,
    });
    // A worker's alerts as the worker wires them (an application context: no HTTP server needed).
    const app = async () =>
      (
        await Test.createTestingModule({
          imports: [
            ConfigModule,
            SecretsModule,
            DalModule,
            PlatformDbModule,
            RedisModule,
            JobsModule,
            OperatorAlertsModule,
          ],
        }).compile()
      ).init();
    const withProvisioning = async () =>
      (
        await Test.createTestingModule({
          imports: [
            ConfigModule,
            SecretsModule,
            DalModule,
            PlatformDbModule,
            RedisModule,
            JobsModule,
            OperatorAlertsModule,
            ProvisioningWorkerModule,
          ],
        }).compile()
      ).init();
    provisioning = (await world.startWorker(withProvisioning)).get(ProvisioningProcessor);
    a = (await world.startWorker(app)).get(OperatorAlertsService);
    b = (await world.startWorker(app)).get(OperatorAlertsService);
    proxy = await TcpProxy.forUrl(world.remnawaves[0].url).start();
  }, 60_000);

  afterAll(async () => {
    await proxy?.stop();
    await world?.close();
  });

  it('a low wallet reaches every master admin once, however many scans run at once; a healthy wallet none', async () => {
    const low = await world.ctx.newBot({ walletMinor: 40_000 });
    const rich = await world.ctx.newBot({ walletMinor: 500_000 });
    await bothScan();
    await bothScan();
    for (const admin of ADMINS) {
      const alerts = alertsTo(admin, `@${low.telegram.username}`);
      expect(alerts).toHaveLength(1);
      // The master bot's language (fa by default): the amount as a Persian reader reads it.
      expect(alerts[0].text).toContain('۴۰٬۰۰۰');
      expect(alertsTo(admin, `@${rich.telegram.username}`)).toHaveLength(0);
    }
    // Topped up above the threshold: the episode ends, and nothing more is said.
    await world.ctx.topUp(low.id, 100_000);
    await bothScan();
    expect(alertsTo(ADMINS[0], `@${low.telegram.username}`)).toHaveLength(1);
    // A sale takes its wholesale cost (140,000 → 90,000 free): low again is a new episode, told once more.
    await world.ctx.setWholesalePrice(low.id, { perPlanMinor: 50_000 });
    await world.ctx.newPaidOrder(low.id);
    await bothScan();
    await bothScan();
    for (const admin of ADMINS) expect(alertsTo(admin, `@${low.telegram.username}`)).toHaveLength(2);
  }, 30_000);

  it('a panel that fails its health check: one alert per episode, recorded on the panel', async () => {
    const panel = await world.newRemnawavePanel({
      name: 'Down-Town',
      baseUrl: proxy.url(world.remnawaves[0].url).replace(/\/$/, ''),
    });
    await bothScan();
    expect(alertsTo(ADMINS[0], 'Down-Town')).toHaveLength(0);
    const [ok] = await world.platform.query(`SELECT last_health_ok FROM vpn_panels WHERE id = $1`, [panel.id]);
    expect(ok.last_health_ok).toBe(true);

    proxy.drop();
    await bothScan();
    await bothScan();
    for (const admin of ADMINS) {
      const alerts = alertsTo(admin, 'Down-Town');
      expect(alerts).toHaveLength(1);
      expect(alerts[0].text).toContain('PANEL_UNAVAILABLE');
    }
    const [down] = await world.platform.query(`SELECT last_health_ok FROM vpn_panels WHERE id = $1`, [panel.id]);
    expect(down.last_health_ok).toBe(false);

    // Healthy again, then down again: a new episode, told again.
    proxy.resume();
    await bothScan();
    proxy.drop();
    await bothScan();
    expect(alertsTo(ADMINS[0], 'Down-Town')).toHaveLength(2);
    proxy.resume();
    await bothScan();
  }, 60_000);

  it('a revoked token and a failed provisioning are told once however often they are reported', async () => {
    const bot = await world.ctx.newBot({ walletMinor: 500_000 });
    await Promise.all([
      a.tokenRevoked(bot.id, 'f'.repeat(64)),
      b.tokenRevoked(bot.id, 'f'.repeat(64)),
      a.tokenRevoked(bot.id, 'f'.repeat(64)),
    ]);
    const subscriptionId = '00000000-0000-4000-8000-00000000abcd';
    await Promise.all([a.provisioningFailed(bot.id, subscriptionId), b.provisioningFailed(bot.id, subscriptionId)]);
    for (const admin of ADMINS) {
      expect(
        alertsTo(admin, `@${bot.telegram.username}`).filter((m) => !m.text?.includes(subscriptionId)),
      ).toHaveLength(1);
      expect(alertsTo(admin, subscriptionId)).toHaveLength(1);
    }
    // A replaced token revoked again is a new episode.
    await a.tokenRevoked(bot.id, 'e'.repeat(64));
    expect(
      alertsTo(ADMINS[0], `@${bot.telegram.username}`).filter((m) => !m.text?.includes(subscriptionId)),
    ).toHaveLength(2);
  }, 30_000);

  it("a provisioning job's final failure tells the operator at once, through the job's own hook", async () => {
    const bot = await world.ctx.newBot({ walletMinor: 500_000 });
    const panel = await world.newRemnawavePanel({ name: 'Hook panel' });
    const paid = await world.ctx.newPaidOrder(bot.id, { plan: { panelId: panel.id } });
    const job = { botId: bot.id, subscriptionId: paid.subscriptionId, orderId: paid.orderId };
    await provisioning.provisionFailed(job, new UnrecoverableError('PANEL_REJECTED'));
    await provisioning.provisionFailed(job, new UnrecoverableError('PANEL_REJECTED')); // the hook heard twice
    for (const admin of ADMINS) expect(alertsTo(admin, paid.subscriptionId)).toHaveLength(1);
    expect(alertsTo(ADMINS[0], paid.subscriptionId)[0].text).toContain(`@${bot.telegram.username}`);
  }, 30_000);

  it('an alert that cannot be sent is tried again on the next scan, and then sent once', async () => {
    const low = await world.ctx.newBot({ walletMinor: 1_000 });
    world.telegram.revokeToken(master.id);
    await bothScan();
    expect(alertsTo(ADMINS[0], `@${low.telegram.username}`)).toHaveLength(0);
    world.telegram.restoreToken(master.id);
    await bothScan();
    await bothScan();
    for (const admin of ADMINS) expect(alertsTo(admin, `@${low.telegram.username}`)).toHaveLength(1);
  }, 30_000);
});
