import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { TestBot, TestContext, TestEnv, WorkerWorld } from '@botfleet/testing';
import { createApiApp } from '../bootstrap';

/** Suspending over REST may give a reason, as the master bot asks for one: the audit logs keep it. */
describe('POST /v1/admin/bots/{botId}/suspend with a reason (API in-process, real PostgreSQL/Redis)', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let app: INestApplication;
  let world: WorkerWorld;
  let bot: TestBot;
  const master = () => `Bearer ${env.masterToken}`;
  const post = (path: string) => request(app.getHttpServer()).post(path).set('Authorization', master());
  const lastStatusChange = async () => {
    const log = await request(app.getHttpServer())
      .get(`/v1/bots/${bot.id}/audit-log?pageSize=100`)
      .set('Authorization', master())
      .expect(200);
    return (log.body.items as { action: string; after: Record<string, unknown> | null }[]).find((e) =>
      ['bot.suspended', 'bot.resumed'].includes(e.action),
    );
  };

  beforeAll(async () => {
    world = await WorkerWorld.start({ jobs: 'detached', createWorker: createApiApp });
    ({ env, ctx } = world);
    app = world.worker;
    bot = await ctx.newBot();
  });

  afterAll(() => world?.close());

  it("keeps the reason in the tenant's audit log; without a body the suspension has none", async () => {
    const res = await post(`/v1/admin/bots/${bot.id}/suspend`).send({ reason: '  Unpaid invoice  ' }).expect(200);
    expect(res.body.status).toBe('suspended');
    expect(await lastStatusChange()).toMatchObject({
      action: 'bot.suspended',
      after: { status: 'suspended', reason: 'Unpaid invoice' },
    });

    await post(`/v1/admin/bots/${bot.id}/resume`).expect(200);
    expect(await lastStatusChange()).toMatchObject({ action: 'bot.resumed', after: { status: 'active' } });

    await post(`/v1/admin/bots/${bot.id}/suspend`).expect(200);
    const bare = await lastStatusChange();
    expect(bare).toMatchObject({ action: 'bot.suspended', after: { status: 'suspended' } });
    expect(bare?.after).not.toHaveProperty('reason');
    await post(`/v1/admin/bots/${bot.id}/resume`).expect(200);
  });

  it('refuses an empty, null or too long reason, naming the field, and changes nothing', async () => {
    for (const reason of ['', '   ', 'x'.repeat(301), 42, null]) {
      const res = await post(`/v1/admin/bots/${bot.id}/suspend`).send({ reason }).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['reason']);
    }
    const current = await request(app.getHttpServer())
      .get(`/v1/bots/${bot.id}`)
      .set('Authorization', master())
      .expect(200);
    expect(current.body.status).toBe('active');
  });
});
