import { ApiHarness, RegisteredBot } from './support/api-harness';

describe('Wholesale wallet: idempotent top-ups (POST /v1/admin/bots/{botId}/wallet/top-ups)', () => {
  let h: ApiHarness;
  let bot: RegisteredBot;

  beforeAll(async () => {
    h = await ApiHarness.start();
    bot = await h.registerBot();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const topUp = (key: string | undefined, body: Record<string, unknown>, botId = bot.id) => {
    const r = h.as(h.master, 'post', `/v1/admin/bots/${botId}/wallet/top-ups`);
    return (key === undefined ? r : r.set('Idempotency-Key', key)).send(body);
  };
  const ledgerRows = (key: string) =>
    h.count('tenant_wallet_ledger', `bot_id = $1 AND idempotency_key = $2`, [bot.id, `topup:${key}`]);
  const balance = async () =>
    Number((await h.platformDb.query(`SELECT wallet_balance_minor AS b FROM bots WHERE id = $1`, [bot.id]))[0].b);

  it('credits the wallet once: a replay returns the same answer and writes nothing', async () => {
    const start = await balance();
    const first = await topUp('pay-001', { amountMinor: 500_000, note: 'bank transfer' }).expect(201);
    expect(first.body).toMatchObject({
      type: 'top_up',
      amountMinor: 500_000,
      balanceAfterMinor: start + 500_000,
      note: 'bank transfer',
      currency: 'IRR',
    });
    const again = await topUp('pay-001', { amountMinor: 500_000, note: 'bank transfer' }).expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await ledgerRows('pay-001')).toBe(1);
    expect(await balance()).toBe(start + 500_000);

    // The tenant sees it in its own wallet and ledger.
    const wallet = await h.as(bot.apiToken, 'get', `/v1/bots/${bot.id}/wallet`).expect(200);
    expect(wallet.body).toMatchObject({ balanceMinor: start + 500_000, heldMinor: 0, availableMinor: start + 500_000 });
    const ledger = await h.as(bot.apiToken, 'get', `/v1/bots/${bot.id}/wallet/ledger?page=1&pageSize=5`).expect(200);
    expect(ledger.body).toMatchObject({ total: 1, page: 1, pageSize: 5 });
    expect(ledger.body.items[0]).toEqual(first.body);
    // Audited on both sides, in the same transaction.
    expect(await h.count('admin_audit_log', `action = 'wallet.top_up' AND target_bot_id = $1`, [bot.id])).toBe(1);
    expect(await h.count('audit_logs', `action = 'wallet.top_up' AND bot_id = $1`, [bot.id])).toBe(1);
  });

  it('refuses the same key with another body: 409 IDEMPOTENCY_KEY_REUSED, nothing written', async () => {
    await topUp('pay-002', { amountMinor: 1000 }).expect(201);
    const before = await balance();
    for (const body of [{ amountMinor: 2000 }, { amountMinor: 1000, note: 'other' }]) {
      const res = await topUp('pay-002', body).expect(409);
      expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    }
    expect(await balance()).toBe(before);
    expect(await ledgerRows('pay-002')).toBe(1);
  });

  it('concurrent replays of one key: one ledger row, every answer the same', async () => {
    const before = await balance();
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => topUp('pay-concurrent', { amountMinor: 7_777, note: 'burst' })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(201));
    for (const a of answers) expect(a.body).toEqual(answers[0].body);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    expect(await ledgerRows('pay-concurrent')).toBe(1);
    expect(await balance()).toBe(before + 7_777);
  });

  it('concurrent top-ups with distinct keys all land, and the balance is their sum', async () => {
    const before = await balance();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => topUp(`pay-many-${i}`, { amountMinor: 100 + i })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    const sum = Array.from({ length: 10 }, (_, i) => 100 + i).reduce((a, b) => a + b, 0);
    expect(await balance()).toBe(before + sum);
    const afters = answers.map((a) => a.body.balanceAfterMinor).sort((a, b) => a - b);
    expect(afters[afters.length - 1]).toBe(before + sum);
    expect(new Set(afters).size).toBe(10);
  });

  it('needs the Idempotency-Key header, valid amounts, and the master token', async () => {
    const before = await balance();
    const missing = await topUp(undefined, { amountMinor: 10 }).expect(400);
    expect(missing.body.error.details).toEqual([{ field: 'Idempotency-Key', errors: [expect.any(String)] }]);
    await topUp('bad key with spaces', { amountMinor: 10 }).expect(400);
    for (const amountMinor of [0, -5, 1.5, '10', 1e18]) {
      const res = await topUp('k-amount', { amountMinor }).expect(400);
      expect(res.body.error.details[0].field).toBe('amountMinor');
    }
    const tenant = await h
      .as(bot.apiToken, 'post', `/v1/admin/bots/${bot.id}/wallet/top-ups`)
      .set('Idempotency-Key', 'tenant-try')
      .send({ amountMinor: 10 })
      .expect(403);
    expect(tenant.body.error.code).toBe('FORBIDDEN');
    expect(await balance()).toBe(before);
  });
});
