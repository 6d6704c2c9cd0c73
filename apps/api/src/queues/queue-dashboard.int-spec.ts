import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { QueueName } from '@botfleet/jobs';
import { TestBot, TestContext, TestEnv, WorkerWorld } from '@botfleet/testing';
import { createApiApp } from '../bootstrap';
import { dashboardAccess, QUEUE_DASHBOARD_PATH } from './queue-dashboard';

/** Bull Board in the API (real Redis queues): the operator sees every queue; nobody else learns it is there. */
describe('queue dashboard at /admin/queues (API in-process, real PostgreSQL/Redis)', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let app: NestFastifyApplication;
  let world: WorkerWorld;
  let bot: TestBot;
  const http = () => request(app.getHttpServer());
  const basic = (password: string) => `Basic ${Buffer.from(`operator:${password}`).toString('base64')}`;

  beforeAll(async () => {
    world = await WorkerWorld.start({ jobs: 'detached', createWorker: createApiApp });
    ({ env, ctx } = world);
    app = world.worker as NestFastifyApplication;
    bot = await ctx.newBot();
  });

  afterAll(() => world?.close());

  it('without credentials: 401 with a Basic challenge, on the page and on its API', async () => {
    for (const path of [QUEUE_DASHBOARD_PATH, `${QUEUE_DASHBOARD_PATH}/api/queues`]) {
      const res = await http().get(path).expect(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm="botfleet queues"/);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
      expect(res.text).not.toContain(QueueName.Provisioning);
    }
  });

  it("a tenant's valid API token: 404, as if there were no dashboard (Bearer or Basic)", async () => {
    for (const auth of [`Bearer ${bot.apiToken}`, basic(bot.apiToken)]) {
      const page = await http().get(QUEUE_DASHBOARD_PATH).set('Authorization', auth).expect(404);
      expect(page.body.error.code).toBe('NOT_FOUND');
      await http().get(`${QUEUE_DASHBOARD_PATH}/api/queues`).set('Authorization', auth).expect(404);
    }
  });

  it('a wrong token (even one shaped like the master token) is 401', async () => {
    await http().get(QUEUE_DASHBOARD_PATH).set('Authorization', `Bearer ${env.masterToken}x`).expect(401);
    await http()
      .get(QUEUE_DASHBOARD_PATH)
      .set('Authorization', basic(`${env.masterToken}x`))
      .expect(401);
    await http().get(QUEUE_DASHBOARD_PATH).set('Authorization', 'Basic !!!').expect(401);
  });

  it('the master token (Bearer, or the password of Basic auth for a browser): the page and every queue', async () => {
    const page = await http().get(QUEUE_DASHBOARD_PATH).set('Authorization', `Bearer ${env.masterToken}`).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('botfleet queues');
    await http().get(QUEUE_DASHBOARD_PATH).set('Authorization', basic(env.masterToken)).expect(200);
    const api = await http()
      .get(`${QUEUE_DASHBOARD_PATH}/api/queues`)
      .set('Authorization', `Bearer ${env.masterToken}`)
      .expect(200);
    const names = (api.body.queues as { name: string }[]).map((q) => q.name).sort();
    expect(names).toEqual(Object.values(QueueName).sort());
  });

  it('the rule itself: only the master token is the operator; a tenant token is hidden; the rest unauthorized', async () => {
    const tenant = async (t: string) => t === 'bft_tenant';
    await expect(dashboardAccess('Bearer master-token', 'master-token', tenant)).resolves.toBe('operator');
    await expect(dashboardAccess('Bearer bft_tenant', 'master-token', tenant)).resolves.toBe('hidden');
    await expect(dashboardAccess('Bearer bft_other', 'master-token', tenant)).resolves.toBe('unauthorized');
    await expect(dashboardAccess(undefined, 'master-token', tenant)).resolves.toBe('unauthorized');
    await expect(
      dashboardAccess(`Basic ${Buffer.from('x:').toString('base64')}`, 'master-token', tenant),
    ).resolves.toBe('unauthorized');
  });
});
