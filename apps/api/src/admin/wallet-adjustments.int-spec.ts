import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DB_ROLES } from '@botfleet/dal';
import { TestBot, TestContext, TestEnv, WorkerWorld } from '@botfleet/testing';
import { createApiApp } from '../bootstrap';

/**
 * The operator corrects a tenant's wholesale wallet: `POST /v1/admin/bots/{botId}/wallet/adjustments` writes one
 * `adjustment` ledger row through `botfleet_wallet_adjust` (platform role only). A replayed key writes nothing, a
 * reused key with another body and a debit past the free balance are 409s writing nothing, concurrent debits never
 * overdraw, and a tenant cannot reach it (neither the route nor the function). Real API, PostgreSQL and Redis.
 */
describe('wallet adjustments (API in-process, real PostgreSQL/Redis)', () => {
  let env: TestEnv;
  let ctx: TestContext;
  let app: INestApplication;
  let world: WorkerWorld;
  let platform: DataSource;
  let appRole: DataSource;
  let keys = 0;
  const http = () => request(app.getHttpServer());
  const master = () => `Bearer ${env.masterToken}`;
  const adjust = (botId: string, body: object, key: string | null = `adj-${++keys}`, auth = master()) => {
    const r = http().post(`/v1/admin/bots/${botId}/wallet/adjustments`).set('Authorization', auth);
    return (key === null ? r : r.set('Idempotency-Key', key)).send(body);
  };
  /** The wallet row and every ledger and audit row of the bot: what a refusal must leave as it was. */
  const state = async (botId: string) => {
    const [bot] = await platform.query(
      `SELECT wallet_balance_minor::int AS balance, wallet_held_minor::int AS held FROM bots WHERE id = $1`,
      [botId],
    );
    const ledger: { type: string; amount: number; note: string | null }[] = await platform.query(
      `SELECT type, amount_minor::int AS amount, note FROM tenant_wallet_ledger WHERE bot_id = $1 ORDER BY created_at, id`,
      [botId],
    );
    const [audit] = await platform.query(
      `SELECT count(*)::int AS n FROM admin_audit_log WHERE target_bot_id = $1 AND action = 'wallet.adjust'`,
      [botId],
    );
    return { balance: bot.balance as number, held: bot.held as number, ledger, adjustAudits: audit.n as number };
  };
  const adjustments = async (botId: string) => (await state(botId)).ledger.filter((e) => e.type === 'adjustment');

  beforeAll(async () => {
    world = await WorkerWorld.start({ jobs: 'detached', createWorker: createApiApp });
    ({ env, ctx } = world);
    app = world.worker;
    platform = await env.db.platform();
    appRole = await env.db.app();
  });

  afterAll(() => world?.close());

  it('a mistyped top-up taken back: one adjustment row with the note, the balance moved, audited; a replay writes nothing', async () => {
    const bot = await ctx.newBot({ walletMinor: 2_500_000 });
    const body = { amountMinor: -2_250_000, note: 'Mistyped top-up: 2,500,000 instead of 250,000' };
    const first = await adjust(bot.id, body, 'fix-1').expect(201);
    expect(first.body).toMatchObject({
      botId: bot.id,
      type: 'adjustment',
      amountMinor: -2_250_000,
      balanceAfterMinor: 250_000,
      heldAfterMinor: 0,
      note: body.note,
      createdBy: 'master:master',
    });
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const again = await adjust(bot.id, body, 'fix-1').expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const after = await state(bot.id);
    expect(after).toMatchObject({ balance: 250_000, held: 0, adjustAudits: 1 });
    expect(after.ledger.filter((e) => e.type === 'adjustment')).toEqual([
      { type: 'adjustment', amount: -2_250_000, note: body.note },
    ]);
    const [audit] = await platform.query(
      `SELECT actor, target_id, before, after FROM admin_audit_log WHERE target_bot_id = $1 AND action = 'wallet.adjust'`,
      [bot.id],
    );
    expect(audit).toMatchObject({
      actor: 'master:master',
      target_id: first.body.id,
      before: { walletBalanceMinor: 2_500_000 },
      after: { walletBalanceMinor: 250_000, amountMinor: -2_250_000, note: body.note },
    });

    // A credit is an adjustment too.
    await adjust(bot.id, { amountMinor: 1000, note: 'goodwill' }).expect(201);
    expect((await state(bot.id)).balance).toBe(251_000);
  });

  it('the same key with a different amount or note is 409 IDEMPOTENCY_KEY_REUSED and writes nothing', async () => {
    const bot = await ctx.newBot({ walletMinor: 10_000 });
    await adjust(bot.id, { amountMinor: -100, note: 'first' }, 'reuse-1').expect(201);
    const before = await state(bot.id);
    const other = await adjust(bot.id, { amountMinor: -200, note: 'first' }, 'reuse-1').expect(409);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const note = await adjust(bot.id, { amountMinor: -100, note: 'second' }, 'reuse-1').expect(409);
    expect(note.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await state(bot.id)).toEqual(before);
  });

  it('a debit past the free balance (balance minus held) is 409 INSUFFICIENT_WHOLESALE_BALANCE; exactly the free balance works', async () => {
    const bot = await ctx.newBot({ walletMinor: 1000 });
    await ctx.setWholesalePrice(bot.id, { perPlanMinor: 300 });
    await ctx.newOrder(bot.id); // holds 300: the free balance is 700
    const before = await state(bot.id);
    expect(before).toMatchObject({ balance: 1000, held: 300 });

    const refused = await adjust(bot.id, { amountMinor: -701, note: 'too much' }).expect(409);
    expect(refused.body.error).toMatchObject({
      code: 'INSUFFICIENT_WHOLESALE_BALANCE',
      details: { balanceMinor: 1000, heldMinor: 300, availableMinor: 700 },
    });
    expect(await state(bot.id)).toEqual(before);

    const exact = await adjust(bot.id, { amountMinor: -700, note: 'all that is free' }).expect(201);
    expect(exact.body).toMatchObject({ balanceAfterMinor: 300, heldAfterMinor: 300 });
    expect(await state(bot.id)).toMatchObject({ balance: 300, held: 300, adjustAudits: 1 });
    await adjust(bot.id, { amountMinor: -1, note: 'one more' }).expect(409);
    expect(await adjustments(bot.id)).toHaveLength(1);
  });

  it('two concurrent debits that together exceed the free balance: exactly one succeeds', async () => {
    for (let round = 0; round < 3; round++) {
      const bot = await ctx.newBot({ walletMinor: 1000 });
      const answers = await Promise.all([
        adjust(bot.id, { amountMinor: -600, note: 'debit a' }),
        adjust(bot.id, { amountMinor: -600, note: 'debit b' }),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
      expect(answers.find((a) => a.status === 409)!.body.error.code).toBe('INSUFFICIENT_WHOLESALE_BALANCE');
      expect(await state(bot.id)).toMatchObject({ balance: 400, held: 0, adjustAudits: 1 });
      expect(await adjustments(bot.id)).toHaveLength(1);
    }
  });

  it('the same key sent twice at once: one row, the other answer replays it', async () => {
    const bot = await ctx.newBot({ walletMinor: 1000 });
    const body = { amountMinor: -250, note: 'twin' };
    const answers = await Promise.all([adjust(bot.id, body, 'twin-1'), adjust(bot.id, body, 'twin-1')]);
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    expect(answers[0].body.id).toBe(answers[1].body.id);
    expect(await state(bot.id)).toMatchObject({ balance: 750, adjustAudits: 1 });
  });

  it('bad input is a 400 naming the field and changes nothing', async () => {
    const bot = await ctx.newBot({ walletMinor: 5000 });
    const before = await state(bot.id);
    const cases: [object, string | null, string][] = [
      [{ amountMinor: 0, note: 'zero' }, 'k-zero', 'amountMinor'],
      [{ amountMinor: 1.5, note: 'fraction' }, 'k-frac', 'amountMinor'],
      [{ amountMinor: '-100', note: 'string' }, 'k-str', 'amountMinor'],
      [{ note: 'no amount' }, 'k-none', 'amountMinor'],
      [{ amountMinor: -1e16, note: 'too large' }, 'k-big', 'amountMinor'],
      [{ amountMinor: -100 }, 'k-no-note', 'note'],
      [{ amountMinor: -100, note: 'ab' }, 'k-short', 'note'],
      [{ amountMinor: -100, note: '   ' }, 'k-blank', 'note'],
      [{ amountMinor: -100, note: 'x'.repeat(301) }, 'k-long', 'note'],
      [{ amountMinor: -100, note: 'no key' }, null, 'Idempotency-Key'],
      [{ amountMinor: -100, note: 'bad key' }, 'has space', 'Idempotency-Key'],
    ];
    for (const [body, key, field] of cases) {
      const res = await adjust(bot.id, body, key);
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({
        body,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect(await state(bot.id)).toEqual(before);
  });

  it('a tenant cannot adjust: its token on the route is refused, and the application role cannot execute the function', async () => {
    const bot: TestBot = await ctx.newBot({ walletMinor: 5000 });
    const before = await state(bot.id);
    const res = await adjust(
      bot.id,
      { amountMinor: 1_000_000, note: 'self-service' },
      'tenant-1',
      `Bearer ${bot.apiToken}`,
    );
    expect([403, 404]).toContain(res.status);
    await adjust('00000000-0000-4000-8000-000000000000', { amountMinor: -1, note: 'nobody' }).expect(404);

    await expect(
      appRole.transaction(async (m) => {
        await m.query(`SELECT set_config('app.bot_id', $1, true)`, [bot.id]);
        return m.query(`SELECT * FROM botfleet_wallet_adjust($1, 1000000, 'forged', 'forged', 'tenant')`, [bot.id]);
      }),
    ).rejects.toThrow(/permission denied/);
    expect(await state(bot.id)).toEqual(before);

    const [grants] = await platform.query(
      `SELECT has_function_privilege($1, p.oid, 'EXECUTE') AS app, has_function_privilege($2, p.oid, 'EXECUTE') AS platform,
              has_function_privilege('public', p.oid, 'EXECUTE') AS public,
              EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%') AS pinned
         FROM pg_proc p WHERE p.proname = 'botfleet_wallet_adjust'`,
      [DB_ROLES.app, DB_ROLES.platform],
    );
    expect(grants).toEqual({ app: false, platform: true, public: false, pinned: true });
  });
});
