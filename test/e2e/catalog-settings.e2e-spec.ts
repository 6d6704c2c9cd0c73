import { CatalogWorld, expectFieldError, Tenant } from './support/catalog-fixtures';

const FEATURE_KEYS = [
  'card_to_card',
  'zarinpal',
  'telegram_stars',
  'cryptobot',
  'wallet',
  'trial_subscription',
  'auto_renewal',
  'referral_program',
  'promo_codes',
  'support_tickets',
  'broadcasts',
];
const MERCHANT = '0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f';

describe('features and configurations over HTTP (tenant API, real PostgreSQL)', () => {
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

  const features = (t: Tenant, suffix = '') => `/v1/bots/${t.botId}/features${suffix}`;
  const configs = (t: Tenant, suffix = '') => `/v1/bots/${t.botId}/configurations${suffix}`;
  const allow = (t: Tenant, key: string) =>
    w
      .as(w.env.masterToken, 'put', `/v1/admin/bots/${t.botId}/features/${key}/allowed`)
      .send({ allowed: true })
      .expect(200);

  it('lists every catalogue feature with enabled, allowed, config and its schema', async () => {
    const res = await w.as(a.token, 'get', features(a)).expect(200);
    expect(res.body.map((f: { key: string }) => f.key)).toEqual(FEATURE_KEYS);
    const zarinpal = res.body.find((f: { key: string }) => f.key === 'zarinpal');
    expect(zarinpal).toMatchObject({ enabled: false, allowed: false, config: {}, description: expect.any(String) });
    expect(zarinpal.configSchema).toMatchObject({ type: 'object', properties: { merchantId: { type: 'string' } } });
  });

  it('turns a feature off and on, with its config, and audits each change', async () => {
    const off = await w.as(a.token, 'put', features(a, '/wallet')).send({ enabled: false }).expect(200);
    expect(off.body).toMatchObject({ key: 'wallet', enabled: false, allowed: true });
    const on = await w
      .as(a.token, 'put', features(a, '/wallet'))
      .send({ enabled: true, config: { minTopUpMinor: 50_000 } })
      .expect(200);
    expect(on.body).toMatchObject({ enabled: true, config: { minTopUpMinor: 50_000 } });
    // Left out, the config stays.
    const kept = await w.as(a.token, 'put', features(a, '/wallet')).send({ enabled: true }).expect(200);
    expect(kept.body.config).toEqual({ minTopUpMinor: 50_000 });
    const audit = await w.platform.query(
      `SELECT action, actor_type, before, after FROM audit_logs WHERE bot_id = $1 AND target_id = 'wallet'
        ORDER BY created_at, id`,
      [a.botId],
    );
    expect(audit).toHaveLength(3);
    expect(audit[1]).toMatchObject({
      action: 'feature.set',
      actor_type: 'tenant_api',
      before: { enabled: false },
      after: { enabled: true, config: { minTopUpMinor: 50_000 } },
    });
  });

  it('a feature the platform has not allowed: 403 FEATURE_NOT_ALLOWED, nothing written', async () => {
    const before = await w.snapshot('bot_feature_flags', a.botId);
    const res = await w.as(a.token, 'put', features(a, '/zarinpal')).send({ enabled: true }).expect(403);
    expect(res.body.error.code).toBe('FEATURE_NOT_ALLOWED');
    expect(await w.snapshot('bot_feature_flags', a.botId)).toBe(before);
    // Switching it off is always possible.
    await w.as(a.token, 'put', features(a, '/zarinpal')).send({ enabled: false }).expect(200);
    await allow(a, 'zarinpal');
    const on = await w
      .as(a.token, 'put', features(a, '/zarinpal'))
      .send({ enabled: true, config: { merchantId: MERCHANT, sandbox: true } })
      .expect(200);
    // The merchant id is a secret: stored encrypted, never shown back (secretsSet says it is there).
    expect(on.body).toMatchObject({
      enabled: true,
      allowed: true,
      config: { sandbox: true },
      secretsSet: ['merchantId'],
    });
    expect(JSON.stringify(on.body)).not.toContain(MERCHANT);
  });

  it('feature config is validated per key (400 naming each path); unknown key 404', async () => {
    await allow(a, 'zarinpal');
    const before = await w.snapshot('bot_feature_flags', a.botId);
    const audits = await w.auditCount(a.botId);
    const cases: [Record<string, unknown>, string][] = [
      [{ enabled: true, config: { merchantId: 'short' } }, 'config.merchantId'],
      [{ enabled: true, config: { sandbox: 'yes' } }, 'config.sandbox'],
      [{ enabled: true, config: { surprise: 1 } }, 'config.surprise'],
      [{ enabled: true, config: 'merchant' }, 'config'],
      [{ enabled: true, config: null }, 'config'],
      [{ enabled: true, config: { merchantId: 'x'.repeat(20_000) } }, 'config'],
      [{ config: {} }, 'enabled'],
      [{ enabled: 'true' }, 'enabled'],
      [{ enabled: true, allowed: true }, 'allowed'],
    ];
    for (const [body, field] of cases) {
      expectFieldError(await w.as(a.token, 'put', features(a, '/zarinpal')).send(body), field);
    }
    expect(await w.snapshot('bot_feature_flags', a.botId)).toBe(before);
    expect(await w.auditCount(a.botId)).toBe(audits);
    const unknown = await w.as(a.token, 'put', features(a, '/yookassa')).send({ enabled: true }).expect(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
  });

  it('lists configurations with values and defaults; set, validate and reset', async () => {
    const list = await w.as(a.token, 'get', configs(a)).expect(200);
    const ttl = list.body.find((c: { key: string }) => c.key === 'receipt_ttl_minutes');
    expect(ttl).toMatchObject({ value: 30, default: 30, isDefault: true, schema: { type: 'integer', minimum: 5 } });

    const set = await w.as(a.token, 'put', configs(a, '/receipt_ttl_minutes')).send({ value: 45 }).expect(200);
    expect(set.body).toMatchObject({ key: 'receipt_ttl_minutes', value: 45, default: 30, isDefault: false });
    await w
      .as(a.token, 'put', configs(a, '/welcome_text'))
      .send({ value: { fa: 'خوش آمدید', en: 'Welcome' } })
      .expect(200);
    const currency = await w.as(a.token, 'put', configs(a, '/currency')).send({ value: 'USD' }).expect(200);
    expect(currency.body.value).toBe('USD');
    const [bot] = await w.platform.query(`SELECT currency FROM bots WHERE id = $1`, [a.botId]);
    expect(bot.currency).toBe('USD');

    const reset = await w.as(a.token, 'delete', configs(a, '/receipt_ttl_minutes')).expect(200);
    expect(reset.body).toMatchObject({ value: 30, isDefault: true });
    await w.as(a.token, 'delete', configs(a, '/currency')).expect(200);

    const actions = await w.platform.query(
      `SELECT action, target_id FROM audit_logs WHERE bot_id = $1 AND target_type = 'configuration'
        ORDER BY created_at, id`,
      [a.botId],
    );
    expect(actions.map((r: { action: string; target_id: string }) => `${r.action} ${r.target_id}`)).toEqual([
      'configuration.set receipt_ttl_minutes',
      'configuration.set welcome_text',
      'configuration.set currency',
      'configuration.reset receipt_ttl_minutes',
      'configuration.reset currency',
    ]);
    await w.as(a.token, 'put', configs(a, '/no_such_key')).send({ value: 1 }).expect(404);
    await w.as(a.token, 'delete', configs(a, '/no_such_key')).expect(404);
  });

  it('bad configuration values: 400 naming the path, nothing written', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['receipt_ttl_minutes', { value: 4 }, 'value'],
      ['receipt_ttl_minutes', { value: 1441 }, 'value'],
      ['receipt_ttl_minutes', { value: '30' }, 'value'],
      ['receipt_ttl_minutes', {}, 'value'],
      ['receipt_ttl_minutes', { value: 30, extra: 1 }, 'extra'],
      ['receipt_requires_photo', { value: 'no' }, 'value'],
      ['referral_commission_percent', { value: 51 }, 'value'],
      ['languages', { value: ['fa', 'de'] }, 'value[1]'],
      ['languages', { value: ['en'] }, 'value'], // the bot's default language is fa
      ['languages', { value: [] }, 'value'],
      ['currency', { value: 'usd' }, 'value'],
      ['trial_plan_id', { value: 'plan-1' }, 'value'],
      ['welcome_text', { value: { de: 'Hallo' } }, 'value.de'],
      ['welcome_text', { value: { en: 'x'.repeat(3001) } }, 'value.en'],
      ['welcome_text', { value: { en: 'x'.repeat(30_000) } }, 'value'],
      ['main_menu_buttons', { value: [[{ action: 'dance' }]] }, 'value[0][0].action'],
      ['main_menu_buttons', { value: [[{ url: 'http://insecure.example' }]] }, 'value[0][0].url'],
    ];
    for (const [key, body, field] of cases) {
      const before = await w.snapshot('bot_configurations', a.botId);
      const audits = await w.auditCount(a.botId);
      const res = await w.as(a.token, 'put', configs(a, `/${key}`)).send(body);
      expect({ key, body, status: res.status }).toEqual({ key, body, status: 400 });
      expectFieldError(res, field);
      expect(await w.snapshot('bot_configurations', a.botId)).toBe(before);
      expect(await w.auditCount(a.botId)).toBe(audits);
    }
    const [bot] = await w.platform.query(`SELECT currency FROM bots WHERE id = $1`, [a.botId]);
    expect(bot.currency).toBe('IRR');
    // Including the default language is fine.
    await w
      .as(a.token, 'put', configs(a, '/languages'))
      .send({ value: ['fa', 'en'] })
      .expect(200);
  });

  it('the currency cannot change once the wallet holds money: 409 CURRENCY_LOCKED, nothing changes', async () => {
    const c = await w.tenant();
    await w.as(c.token, 'put', configs(c, '/currency')).send({ value: 'USD' }).expect(200);
    await w
      .as(w.env.masterToken, 'post', `/v1/admin/bots/${c.botId}/wallet/top-ups`)
      .set('Idempotency-Key', `lock-${c.botId}`)
      .send({ amountMinor: 100_000 })
      .expect(201);
    const audits = await w.auditCount(c.botId);
    const refusals = [
      await w.as(c.token, 'put', configs(c, '/currency')).send({ value: 'EUR' }),
      await w.as(c.token, 'delete', configs(c, '/currency')),
      await w.as(c.token, 'patch', `/v1/bots/${c.botId}`).send({ currency: 'EUR' }),
      await w.as(w.env.masterToken, 'patch', `/v1/bots/${c.botId}`).send({ currency: 'IRR' }),
    ];
    for (const res of refusals) {
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 409, code: 'CURRENCY_LOCKED' });
    }
    const [bot] = await w.platform.query(`SELECT currency FROM bots WHERE id = $1`, [c.botId]);
    expect(bot.currency).toBe('USD');
    expect(await w.auditCount(c.botId)).toBe(audits);
    // Setting the currency it already has changes nothing and is fine.
    await w.as(c.token, 'put', configs(c, '/currency')).send({ value: 'USD' }).expect(200);
    await w.as(c.token, 'patch', `/v1/bots/${c.botId}`).send({ currency: 'USD' }).expect(200);
  });

  it('the OpenAPI document lists every catalog endpoint with its path ids, bodies and errors', async () => {
    const doc = (await w.as(a.token, 'get', '/docs-json').expect(200)).body;
    const expected: [string, string, number[]][] = [
      ['/v1/bots/{botId}/features', 'get', [200, 404]],
      ['/v1/bots/{botId}/features/{key}', 'put', [200, 400, 403, 404]],
      ['/v1/bots/{botId}/configurations', 'get', [200, 404]],
      ['/v1/bots/{botId}/configurations/{key}', 'put', [200, 400, 404]],
      ['/v1/bots/{botId}/configurations/{key}', 'delete', [200, 404]],
      ['/v1/bots/{botId}/payment-cards', 'get', [200, 404]],
      ['/v1/bots/{botId}/payment-cards', 'post', [201, 400, 404, 409]],
      ['/v1/bots/{botId}/payment-cards/next', 'get', [200, 404, 409]],
      ['/v1/bots/{botId}/payment-cards/{cardId}', 'get', [200, 404]],
      ['/v1/bots/{botId}/payment-cards/{cardId}', 'patch', [200, 400, 404, 409]],
      ['/v1/bots/{botId}/payment-cards/{cardId}', 'delete', [204, 404]],
      ['/v1/bots/{botId}/plans', 'get', [200, 404]],
      ['/v1/bots/{botId}/plans', 'post', [201, 400, 404]],
      ['/v1/bots/{botId}/plans/{planId}', 'patch', [200, 400, 404]],
      ['/v1/bots/{botId}/plans/{planId}', 'delete', [200, 204, 404]],
    ];
    for (const [path, method, statuses] of expected) {
      const op = doc.paths[path]?.[method];
      expect({ path, method, documented: Boolean(op) }).toEqual({ path, method, documented: true });
      const params = path.match(/\{(\w+)\}/g)!.map((p) => p.slice(1, -1));
      expect(
        op.parameters
          .filter((p: { in: string }) => p.in === 'path')
          .map((p: { name: string }) => p.name)
          .sort(),
      ).toEqual(params.sort());
      for (const status of [...statuses, 401])
        expect({ path, method, status, ok: String(status) in op.responses }).toEqual({
          path,
          method,
          status,
          ok: true,
        });
      expect(op.security).toEqual([{ bearer: [] }]);
    }
    const card = doc.components.schemas.CreatePaymentCardDto;
    expect(card.required).toEqual(['cardNumber', 'cardHolderName']);
    expect(Object.keys(card.properties)).not.toContain('successCount');
    expect(doc.components.schemas.PaymentCardDto.properties.successCount.readOnly).toBe(true);
    expect(doc.components.schemas.CreatePlanDto.required).toEqual(
      expect.arrayContaining(['name', 'periodDays', 'priceMinor', 'trafficLimitGb', 'deviceLimit']),
    );
  });

  it("another tenant's features and configurations answer 404 and stay unchanged", async () => {
    await w.as(b.token, 'put', configs(b, '/receipt_ttl_minutes')).send({ value: 60 }).expect(200);
    const flags = await w.snapshot('bot_feature_flags', b.botId);
    const conf = await w.snapshot('bot_configurations', b.botId);
    await w.as(a.token, 'get', features(b)).expect(404);
    await w.as(a.token, 'put', features(b, '/wallet')).send({ enabled: false }).expect(404);
    await w.as(a.token, 'get', configs(b)).expect(404);
    await w.as(a.token, 'put', configs(b, '/receipt_ttl_minutes')).send({ value: 5 }).expect(404);
    await w.as(a.token, 'delete', configs(b, '/receipt_ttl_minutes')).expect(404);
    expect(await w.snapshot('bot_feature_flags', b.botId)).toBe(flags);
    expect(await w.snapshot('bot_configurations', b.botId)).toBe(conf);
  });
});
