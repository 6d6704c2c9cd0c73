import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TestContext } from '@botfleet/testing';

/**
 * Privileges are the second line behind row-level security: as the application role, with the tenant's
 * own bot set, the money, status and identity columns of `bots` and the operator's tables can be read but
 * not written; the narrow functions that change them refuse what their rule forbids.
 */
describe('tenant privileges (application role, real PostgreSQL)', () => {
  let ctx: TestContext;
  let app: DataSource;
  let platform: DataSource;
  let botId: string;
  let suspendedId: string;
  let otherId: string;

  /** One transaction as the application role with `app.bot_id` set, as TenantDb opens it. */
  const asTenant = (bot: string, sql: string, params: unknown[] = []): Promise<unknown> =>
    app.transaction(async (m) => {
      await m.query(`SELECT set_config('app.bot_id', $1, true)`, [bot]);
      return m.query(sql, params);
    });
  const row = async (id: string) =>
    (
      await platform.query(
        `SELECT status, is_master, wallet_balance_minor::int AS b, wallet_held_minor::int AS h,
                api_token_hash, traffic_sold_bytes::text AS t FROM bots WHERE id = $1`,
        [id],
      )
    )[0];

  beforeAll(async () => {
    ctx = await TestContext.create();
    app = await ctx.env.db.app();
    platform = await ctx.env.db.platform();
    botId = (await ctx.newBot({ walletMinor: 1000 })).id;
    suspendedId = (await ctx.newBot({ status: 'suspended' })).id;
    otherId = (await ctx.newBot()).id;
  });

  afterAll(async () => {
    await ctx?.close();
  });

  it('refuses writes of the money, status and identity columns of its own bots row', async () => {
    const before = await row(botId);
    for (const set of [
      `wallet_balance_minor = 1000000000`,
      `wallet_held_minor = 0`,
      `is_master = true`,
      `status = 'suspended'`,
      `api_token_hash = repeat('a', 64)`,
      `telegram_token_hash = repeat('b', 64)`,
      `traffic_sold_bytes = 0`,
      `owner_telegram_id = 1`,
    ]) {
      await expect(asTenant(botId, `UPDATE bots SET ${set} WHERE id = $1`, [botId])).rejects.toThrow(
        /permission denied/,
      );
    }
    await expect(
      asTenant(suspendedId, `UPDATE bots SET status = 'active' WHERE id = $1`, [suspendedId]),
    ).rejects.toThrow(/permission denied/);
    expect(await row(botId)).toEqual(before);
    expect((await row(suspendedId)).status).toBe('suspended');
  });

  it('refuses every write of the wholesale ledger, the wholesale price and the allowances', async () => {
    const statements = [
      `INSERT INTO tenant_wallet_ledger (bot_id, type, amount_minor, balance_after_minor, idempotency_key, created_by)
         VALUES ($1, 'top_up', 1000000, 1001000, 'forged', 'tenant')`,
      `UPDATE tenant_wallet_ledger SET amount_minor = 0 WHERE bot_id = $1`,
      `DELETE FROM tenant_wallet_ledger WHERE bot_id = $1`,
      `INSERT INTO wholesale_prices (bot_id) VALUES ($1)`,
      `UPDATE wholesale_prices SET per_plan_minor = 0 WHERE bot_id = $1`,
      `INSERT INTO feature_allowances (bot_id, feature_key, allowed) VALUES ($1, 'promocodes', true)`,
      `DELETE FROM feature_allowances WHERE bot_id = $1`,
    ];
    for (const sql of statements) {
      await expect(asTenant(botId, sql, [botId])).rejects.toThrow(/permission denied/);
    }
    // Reading stays possible: the tenant sees its own ledger.
    expect(
      ((await asTenant(botId, `SELECT count(*)::int AS n FROM tenant_wallet_ledger`)) as { n: number }[])[0].n,
    ).toBe(1);
  });

  it('the narrow functions enforce their rule: own bot only, no way out of suspended, no top-up', async () => {
    await expect(asTenant(suspendedId, `SELECT botfleet_bot_set_status($1, 'active')`, [suspendedId])).rejects.toThrow(
      /cannot move/,
    );
    await expect(asTenant(botId, `SELECT botfleet_bot_set_status($1, 'paused')`, [otherId])).rejects.toThrow(
      /another bot/,
    );
    await expect(
      asTenant(botId, `SELECT * FROM botfleet_wallet_reverse($1, $2)`, [botId, randomUUID()]),
    ).rejects.toThrow(/refund/);
    await expect(
      asTenant(botId, `SELECT * FROM botfleet_wallet_top_up($1, 'k', 1000000, null, 'tenant')`, [botId]),
    ).rejects.toThrow(/permission denied|does not exist/);
    expect(await row(botId)).toMatchObject({ status: 'active', b: 1000, h: 0 });
    expect((await row(suspendedId)).status).toBe('suspended');
  });

  it('the legitimate tenant paths still work: settings, pause and resume, API token, wallet moves', async () => {
    const paused = (await ctx.newBot({ status: 'paused' })).id; // BotSettingsService pauses through the function
    expect((await row(paused)).status).toBe('paused');
    await asTenant(paused, `SELECT botfleet_bot_set_status($1, 'active')`, [paused]);
    await asTenant(paused, `UPDATE bots SET name = 'Renamed', support_username = 'helpdesk' WHERE id = $1`, [paused]);
    await asTenant(paused, `SELECT botfleet_bot_set_api_token($1, repeat('c', 64), 'bft_cccc')`, [paused]);
    expect(await row(paused)).toMatchObject({ status: 'active', api_token_hash: 'c'.repeat(64) });
    // The row lock every wallet move and order takes still works for the application role.
    await asTenant(paused, `SELECT id FROM bots WHERE id = $1 FOR NO KEY UPDATE`, [paused]);

    // A sale holds and captures the wholesale cost; the operator's top-up credits the wallet.
    await ctx.setWholesalePrice(botId, { perPlanMinor: 100 });
    const held = await row(botId);
    const pending = await ctx.newOrder(botId);
    expect(await row(botId)).toMatchObject({ b: held.b, h: held.h + 100 });
    await expect(
      asTenant(botId, `SELECT * FROM botfleet_wallet_reverse($1, $2)`, [botId, pending.orderId]),
    ).rejects.toThrow(/refund/);
    const paid = await ctx.newPaidOrder(botId);
    expect(await row(botId)).toMatchObject({ b: held.b - 100, h: held.h + 100 });
    // A sold order's cost cannot come back by a release, nor a hold be taken past the free balance.
    await expect(
      asTenant(botId, `SELECT * FROM botfleet_wallet_settle($1, $2, 'release', 0)`, [botId, paid.orderId]),
    ).rejects.toThrow(/captured, not released/);
    await ctx.setWholesalePrice(botId, { perPlanMinor: 0 });
    const another = await ctx.newOrder(botId); // no wholesale cost: no hold yet
    await expect(
      asTenant(botId, `SELECT * FROM botfleet_wallet_hold($1, $2, 1000000000)`, [botId, another.orderId]),
    ).rejects.toThrow(/free balance/);
    expect(await row(botId)).toMatchObject({ b: held.b - 100, h: held.h + 100 });
    await ctx.topUp(botId, 500);
    expect((await row(botId)).b).toBe(held.b + 400);
  });

  it('a hold is released only once its order has ended, and a released hold is never captured', async () => {
    await ctx.setWholesalePrice(botId, { perPlanMinor: 100 });
    const status = async (orderId: string) =>
      ((await platform.query(`SELECT status FROM orders WHERE id = $1`, [orderId])) as { status: string }[])[0].status;
    const ledgerOf = async (orderId: string) =>
      (
        (await platform.query(`SELECT idempotency_key FROM tenant_wallet_ledger WHERE reference = $1 ORDER BY 1`, [
          `order:${orderId}`,
        ])) as { idempotency_key: string }[]
      ).map((r) => r.idempotency_key);
    const pending = await ctx.newOrder(botId);
    const before = await row(botId);
    // Releasing the hold of an order that can still be paid would let the sale skip its wholesale charge.
    await expect(
      asTenant(botId, `SELECT * FROM botfleet_wallet_settle($1, $2, 'release', 0)`, [botId, pending.orderId]),
    ).rejects.toThrow(/ended order/);
    expect(await row(botId)).toEqual(before);
    expect(await ledgerOf(pending.orderId)).toEqual([`order:${pending.orderId}:hold`]);
    expect(await status(pending.orderId)).toBe('pending');

    // The user's newer choice ends the first order (expired) and releases its hold; it is never captured after.
    await ctx.newOrder(botId, { userId: pending.userId });
    expect(await status(pending.orderId)).toBe('expired');
    const released = await row(botId);
    await expect(
      asTenant(botId, `SELECT * FROM botfleet_wallet_settle($1, $2, 'capture', 0)`, [botId, pending.orderId]),
    ).rejects.toThrow(/released/);
    expect(await row(botId)).toEqual(released);
    expect(await ledgerOf(pending.orderId)).toEqual([
      `order:${pending.orderId}:hold`,
      `order:${pending.orderId}:release`,
    ]);
    await ctx.setWholesalePrice(botId, { perPlanMinor: 0 });
  });
});
