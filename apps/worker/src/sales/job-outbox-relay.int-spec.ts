import { Test, TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RedisModule } from '@botfleet/common';
import { ConfigModule } from '@botfleet/config';
import { DalModule, TenantDb } from '@botfleet/dal';
import { JobName, JobOutbox, JobQueue, JobsModule, QueueName } from '@botfleet/jobs';
import { applyEnv, createTestEnv, TestContext, TestEnv } from '@botfleet/testing';
import { PlatformDbModule } from '@botfleet/platform';
import { JobOutboxRelay } from './job-outbox-relay';

describe('job outbox and its relay (real PostgreSQL and Redis)', () => {
  let env: TestEnv;
  let restore: () => void;
  let mod: TestingModule;
  let platform: DataSource;
  let ctx: TestContext;
  let db: TenantDb;
  let outbox: JobOutbox;
  let relay: JobOutboxRelay;
  let jobs: JobQueue;
  let botId: string;

  const notification = (paymentId: string) => ({ botId, event: 'receipt_submitted' as const, paymentId });
  const rows = async () =>
    (
      (await platform.query(`SELECT job_id FROM job_outbox WHERE bot_id = $1 ORDER BY job_id`, [botId])) as {
        job_id: string;
      }[]
    ).map((r) => r.job_id);
  const queued = async (jobId: string) => !!(await jobs.queue(QueueName.Notifications).getJob(jobId));
  const count = async () =>
    (await jobs.queue(QueueName.Notifications).getJobCounts('waiting', 'delayed', 'active', 'completed')).waiting;

  beforeAll(async () => {
    env = await createTestEnv();
    restore = applyEnv(env.vars);
    mod = await Test.createTestingModule({
      imports: [ConfigModule, RedisModule, DalModule, PlatformDbModule, JobsModule],
      providers: [JobOutboxRelay],
    }).compile();
    await mod.init();
    platform = await env.db.platform();
    db = mod.get(TenantDb);
    outbox = mod.get(JobOutbox);
    relay = mod.get(JobOutboxRelay);
    jobs = mod.get(JobQueue);
    ctx = await TestContext.create({ env });
    botId = (await ctx.newBot()).id;
  });
  afterAll(async () => {
    await ctx?.close();
    await mod?.close();
    restore?.();
    await env?.cleanup();
  });

  it('inside a transaction: the row is written with the change, the job is queued only after the commit', async () => {
    const jobId = `outbox-commit-${randomUUID()}`;
    await db.run(botId, async () => {
      await outbox.add(botId, JobName.SaleNotification, notification(randomUUID()), jobId);
      // Written in this transaction, not yet queued.
      const inside = await db.current()!.manager.query(`SELECT job_id FROM job_outbox WHERE job_id = $1`, [jobId]);
      expect(inside).toHaveLength(1);
      expect(await queued(jobId)).toBe(false);
    });
    expect(await queued(jobId)).toBe(true);
    expect(await rows()).not.toContain(jobId);
  });

  it('a rolled-back transaction leaves neither a row nor a job', async () => {
    const jobId = `outbox-rollback-${randomUUID()}`;
    await expect(
      db.run(botId, async () => {
        await outbox.add(botId, JobName.SaleNotification, notification(randomUUID()), jobId);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await queued(jobId)).toBe(false);
    expect(await rows()).not.toContain(jobId);
  });

  it('a row left by a crash after the commit is relayed once, under its own job id; young rows wait', async () => {
    const lost = `outbox-crash-${randomUUID()}`;
    const young = `outbox-young-${randomUUID()}`;
    const insert = (jobId: string, age: string) =>
      platform.query(
        `INSERT INTO job_outbox (bot_id, job_name, job_id, payload, created_at) VALUES ($1, $2, $3, $4, now() - $5::interval)`,
        [botId, JobName.SaleNotification, jobId, notification(randomUUID()), age],
      );
    await insert(lost, '1 minute');
    await insert(young, '0 seconds');
    const before = await count();
    expect(await relay.relayStale(10_000)).toBe(1);
    expect(await queued(lost)).toBe(true);
    expect(await queued(young)).toBe(false);
    expect(await rows()).toEqual([young]);
    expect(await relay.relayStale(10_000)).toBe(0);
    expect(await count()).toBe(before + 1);

    // The crash came after queueing but before the row was cleared: relaying again adds no second job.
    await insert(lost, '1 minute');
    expect(await relay.relayStale(10_000)).toBe(1);
    expect(await count()).toBe(before + 1);
    expect(await rows()).toEqual([young]);
  });

  it('outside any transaction the job is queued at once and nothing is written', async () => {
    const jobId = `outbox-direct-${randomUUID()}`;
    await outbox.add(botId, JobName.SaleNotification, notification(randomUUID()), jobId);
    expect(await queued(jobId)).toBe(true);
    expect(await rows()).not.toContain(jobId);
  });
});
