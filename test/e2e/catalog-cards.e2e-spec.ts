import { CatalogWorld, expectFieldError, Tenant } from './support/catalog-fixtures';

const CARD = '6037990000000006';
const CARD2 = '4111111111111111';
const CARD3 = '5555555555554444';

describe('payment cards over HTTP (tenant API, real PostgreSQL)', () => {
  let w: CatalogWorld;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    w = await CatalogWorld.start();
    a = await w.tenant();
    b = await w.tenant();
  });

  afterAll(async () => {
    await w?.stop();
  });

  const cards = (t: Tenant, suffix = '') => `/v1/bots/${t.botId}/payment-cards${suffix}`;

  it('create, list, read, change, preview and delete a card', async () => {
    const created = await w
      .as(a.token, 'post', cards(a))
      .send({
        cardNumber: '6037 9900 0000 0006',
        cardHolderName: 'Ali Rezaei',
        bankName: 'Melli',
        dailyLimitMinor: 5000,
      })
      .expect(201);
    expect(created.body).toMatchObject({
      cardNumber: CARD,
      cardNumberMasked: '•••• 0006',
      cardHolderName: 'Ali Rezaei',
      bankName: 'Melli',
      rotationStrategy: 'round_robin',
      rotationIntervalMinutes: 60,
      weight: 1,
      dailyLimitMinor: 5000,
      usedTodayMinor: 0,
      currency: 'IRR',
      successCount: 0,
      failureCount: 0,
      currentUsageCount: 0,
      lastUsedAt: null,
      isActive: true,
    });
    const id: string = created.body.id;

    const list = await w.as(a.token, 'get', cards(a)).expect(200);
    expect(list.body.map((c: { id: string }) => c.id)).toEqual([id]);
    await w.as(a.token, 'get', cards(a, `/${id}`)).expect(200);

    const patched = await w
      .as(a.token, 'patch', cards(a, `/${id}`))
      .send({ weight: 5, dailyLimitMinor: null, bankName: null, rotationStrategy: 'weighted' })
      .expect(200);
    expect(patched.body).toMatchObject({
      weight: 5,
      dailyLimitMinor: null,
      bankName: null,
      rotationStrategy: 'weighted',
    });

    // The preview shows the card without using a turn.
    for (let i = 0; i < 3; i++) {
      const next = await w.as(a.token, 'get', cards(a, '/next?amountMinor=2000')).expect(200);
      expect(next.body).toMatchObject({
        strategy: 'weighted',
        deterministic: false,
        card: { id, currentUsageCount: 0 },
      });
    }
    expect(await w.snapshot('card_daily_usage', a.botId)).toBe('[]');

    // The master token may manage any bot's cards too.
    await w.as(w.env.masterToken, 'get', cards(a, `/${id}`)).expect(200);

    await w.as(a.token, 'delete', cards(a, `/${id}`)).expect(204);
    await w.as(a.token, 'get', cards(a, `/${id}`)).expect(404);
    const [row] = await w.platform.query(`SELECT count(*)::int AS n FROM tenant_payment_cards WHERE id = $1`, [id]);
    expect(row.n).toBe(0);

    // Every write is in the audit log, with the card number masked.
    const audit = await w.platform.query(
      `SELECT action, actor_type, actor_id, before, after FROM audit_logs WHERE bot_id = $1 AND target_id = $2
        ORDER BY created_at`,
      [a.botId, id],
    );
    expect(audit.map((r: { action: string }) => r.action)).toEqual([
      'payment_card.create',
      'payment_card.update',
      'payment_card.delete',
    ]);
    expect(audit[0]).toMatchObject({ actor_type: 'tenant_api', actor_id: a.botId });
    expect(JSON.stringify(audit)).not.toContain(CARD);
    expect(audit[0].after.cardNumber).toBe('••••0006');
  });

  it('a card with payments is archived, not deleted; its number cannot change', async () => {
    const card = (await w.as(a.token, 'post', cards(a)).send({ cardNumber: CARD2, cardHolderName: 'Sara' }).expect(201))
      .body;
    await w.sale(a.botId, await w.newPlan(a), card.id);
    const conflict = await w
      .as(a.token, 'patch', cards(a, `/${card.id}`))
      .send({ cardNumber: CARD3 })
      .expect(409);
    expect(conflict.body.error.code).toBe('CONFLICT');
    await w.as(a.token, 'delete', cards(a, `/${card.id}`)).expect(204);
    const [row] = await w.platform.query(`SELECT deleted_at, is_active FROM tenant_payment_cards WHERE id = $1`, [
      card.id,
    ]);
    expect(row.deleted_at).toBeInstanceOf(Date);
    expect(row.is_active).toBe(false);
    await w.as(a.token, 'get', cards(a, `/${card.id}`)).expect(404);
    const list = await w.as(a.token, 'get', cards(a)).expect(200);
    expect(list.body.map((c: { id: string }) => c.id)).not.toContain(card.id);
    // An archived card's number may be registered again.
    const again = await w.as(a.token, 'post', cards(a)).send({ cardNumber: CARD2, cardHolderName: 'Sara' }).expect(201);
    await w.as(a.token, 'delete', cards(a, `/${again.body.id}`)).expect(204);
  });

  it('the same number twice for one bot is a 409; another bot may register it', async () => {
    const first = await w.as(a.token, 'post', cards(a)).send({ cardNumber: CARD3, cardHolderName: 'X' }).expect(201);
    const dup = await w.as(a.token, 'post', cards(a)).send({ cardNumber: '5555-5555-5555-4444', cardHolderName: 'Y' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.details).toEqual([{ field: 'cardNumber', errors: ['is already registered'] }]);
    const other = await w.as(b.token, 'post', cards(b)).send({ cardNumber: CARD3, cardHolderName: 'Z' }).expect(201);
    await w.as(a.token, 'delete', cards(a, `/${first.body.id}`)).expect(204);
    await w.as(b.token, 'delete', cards(b, `/${other.body.id}`)).expect(204);
  });

  it('no usable card: /next answers 409 NO_PAYMENT_CARD', async () => {
    const res = await w.as(b.token, 'get', cards(b, '/next')).expect(409);
    expect(res.body.error.code).toBe('NO_PAYMENT_CARD');
    expectFieldError(await w.as(b.token, 'get', cards(b, '/next?amountMinor=-5')), 'amountMinor');
    expectFieldError(await w.as(b.token, 'get', cards(b, '/next?amountMinor=abc')), 'amountMinor');
    // An empty value is not "no amount" (it answered 503 once): a 400 naming the field.
    expectFieldError(await w.as(b.token, 'get', cards(b, '/next?amountMinor=')), 'amountMinor');
  });

  describe('bad input → 400 naming the field, nothing written', () => {
    const valid = { cardNumber: CARD, cardHolderName: 'Ali' };
    const createCases: [string, Record<string, unknown>, string][] = [
      ['missing cardNumber', { cardHolderName: 'Ali' }, 'cardNumber'],
      ['missing cardHolderName', { cardNumber: CARD }, 'cardHolderName'],
      ['cardNumber as a number', { ...valid, cardNumber: 6037990000000006 }, 'cardNumber'],
      ['cardNumber fails Luhn', { ...valid, cardNumber: '6037990000000007' }, 'cardNumber'],
      ['cardNumber with letters', { ...valid, cardNumber: '6037ab0000000006' }, 'cardNumber'],
      ['cardNumber too short', { ...valid, cardNumber: '42424242424' }, 'cardNumber'],
      ['cardNumber oversize', { ...valid, cardNumber: '4'.repeat(500) }, 'cardNumber'],
      ['cardHolderName oversize', { ...valid, cardHolderName: 'x'.repeat(101) }, 'cardHolderName'],
      ['cardHolderName blank', { ...valid, cardHolderName: '   ' }, 'cardHolderName'],
      ['bankName wrong type', { ...valid, bankName: 12 }, 'bankName'],
      ['unknown strategy', { ...valid, rotationStrategy: 'fastest' }, 'rotationStrategy'],
      ['interval out of range', { ...valid, rotationIntervalMinutes: 0 }, 'rotationIntervalMinutes'],
      ['interval not an integer', { ...valid, rotationIntervalMinutes: 1.5 }, 'rotationIntervalMinutes'],
      ['weight out of range', { ...valid, weight: 1001 }, 'weight'],
      ['weight null', { ...valid, weight: null }, 'weight'],
      ['daily limit zero', { ...valid, dailyLimitMinor: 0 }, 'dailyLimitMinor'],
      ['daily limit as text', { ...valid, dailyLimitMinor: '100' }, 'dailyLimitMinor'],
      ['isActive as text', { ...valid, isActive: 'yes' }, 'isActive'],
      ['read-only successCount', { ...valid, successCount: 5 }, 'successCount'],
      ['read-only currentUsageCount', { ...valid, currentUsageCount: 5 }, 'currentUsageCount'],
      ['unknown field', { ...valid, botId: 'x' }, 'botId'],
    ];

    it.each(createCases)('POST: %s', async (_name, body, field) => {
      const before = await w.snapshot('tenant_payment_cards', a.botId);
      const audits = await w.auditCount(a.botId);
      expectFieldError(await w.as(a.token, 'post', cards(a)).send(body), field);
      expect(await w.snapshot('tenant_payment_cards', a.botId)).toBe(before);
      expect(await w.auditCount(a.botId)).toBe(audits);
    });

    const patchCases: [string, Record<string, unknown>, string][] = [
      ['cardNumber fails Luhn', { cardNumber: '4111111111111112' }, 'cardNumber'],
      ['cardHolderName null', { cardHolderName: null }, 'cardHolderName'],
      ['rotationStrategy null', { rotationStrategy: null }, 'rotationStrategy'],
      ['isActive null', { isActive: null }, 'isActive'],
      ['weight as text', { weight: 'heavy' }, 'weight'],
      ['read-only failureCount', { failureCount: 0 }, 'failureCount'],
      ['read-only lastUsedAt', { lastUsedAt: null }, 'lastUsedAt'],
      ['oversize bankName', { bankName: 'b'.repeat(5000) }, 'bankName'],
    ];

    it.each(patchCases)('PATCH: %s', async (_name, body, field) => {
      const card = (await w.as(a.token, 'post', cards(a)).send({ cardNumber: CARD, cardHolderName: 'Ali' }).expect(201))
        .body;
      const before = await w.snapshot('tenant_payment_cards', a.botId);
      const audits = await w.auditCount(a.botId);
      expectFieldError(await w.as(a.token, 'patch', cards(a, `/${card.id}`)).send(body), field);
      expect(await w.snapshot('tenant_payment_cards', a.botId)).toBe(before);
      expect(await w.auditCount(a.botId)).toBe(audits);
      await w.as(a.token, 'delete', cards(a, `/${card.id}`)).expect(204);
    });
  });

  it("another tenant's card ids answer 404 and the card is unchanged", async () => {
    const theirs = (await w.as(b.token, 'post', cards(b)).send({ cardNumber: CARD, cardHolderName: 'B' }).expect(201))
      .body;
    const before = await w.snapshot('tenant_payment_cards', b.botId);
    // B's card under A's own bot path: not found (A's token, A's bot).
    await w.as(a.token, 'get', cards(a, `/${theirs.id}`)).expect(404);
    await w
      .as(a.token, 'patch', cards(a, `/${theirs.id}`))
      .send({ weight: 9 })
      .expect(404);
    await w.as(a.token, 'delete', cards(a, `/${theirs.id}`)).expect(404);
    // B's bot path with A's token: the bot itself is not found.
    await w.as(a.token, 'get', cards(b)).expect(404);
    await w.as(a.token, 'get', cards(b, `/${theirs.id}`)).expect(404);
    await w.as(a.token, 'get', cards(b, '/next')).expect(404);
    await w.as(a.token, 'post', cards(b)).send({ cardNumber: CARD2, cardHolderName: 'A' }).expect(404);
    await w
      .as(a.token, 'patch', cards(b, `/${theirs.id}`))
      .send({ weight: 9 })
      .expect(404);
    await w.as(a.token, 'delete', cards(b, `/${theirs.id}`)).expect(404);
    // A malformed id is a 400 naming it (issue 11), never a lookup.
    await w.as(a.token, 'get', cards(a, '/not-a-uuid')).expect(400);
    expect(await w.snapshot('tenant_payment_cards', b.botId)).toBe(before);
  });
});
