import { randomUUID } from 'node:crypto';
import { CatalogWorld, expectFieldError, Tenant } from './support/catalog-fixtures';

const plan = (over: Record<string, unknown> = {}) => ({
  name: { en: '1 month', fa: 'یک ماهه' },
  periodDays: 30,
  priceMinor: 1_500_000,
  trafficLimitGb: 50,
  deviceLimit: 2,
  ...over,
});

describe('plans over HTTP (tenant API, real PostgreSQL)', () => {
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

  const plans = (t: Tenant, suffix = '') => `/v1/bots/${t.botId}/plans${suffix}`;

  /** A panel the operator registers through the admin API. */
  async function panel(isActive: boolean): Promise<string> {
    const res = await w
      .as(w.env.masterToken, 'post', '/v1/admin/panels')
      .send({
        name: 'de-1',
        type: 'marzban',
        baseUrl: 'https://panel.example',
        credentials: { username: 'admin', password: 'marzban-secret-password' },
        settings: { proxies: { vless: {} } },
        isActive,
      })
      .expect(201);
    return res.body.id;
  }

  it('create, list in sortOrder, change and delete plans', async () => {
    const t = await w.tenant();
    const first = (await w.as(t.token, 'post', plans(t)).send(plan()).expect(201)).body;
    expect(first).toMatchObject({
      name: { en: '1 month', fa: 'یک ماهه' },
      periodDays: 30,
      priceMinor: 1_500_000,
      currency: 'IRR',
      trafficLimitGb: 50,
      deviceLimit: 2,
      panelId: null,
      location: null,
      sortOrder: 0,
      isActive: true,
      isTrial: false,
    });
    const second = (
      await w
        .as(t.token, 'post', plans(t))
        .send(plan({ name: { ru: '3 месяца' }, periodDays: 90 }))
        .expect(201)
    ).body;
    expect(second.sortOrder).toBe(1);
    const top = (
      await w
        .as(t.token, 'post', plans(t))
        .send(plan({ sortOrder: -5, trafficLimitGb: 0 }))
        .expect(201)
    ).body;
    const list = await w.as(t.token, 'get', plans(t)).expect(200);
    expect(list.body.map((p: { id: string }) => p.id)).toEqual([top.id, first.id, second.id]);

    const patched = await w
      .as(t.token, 'patch', plans(t, `/${second.id}`))
      .send({ priceMinor: 3_900_000, location: 'Germany', isActive: false, name: { en: '3 months' } })
      .expect(200);
    expect(patched.body).toMatchObject({
      priceMinor: 3_900_000,
      location: 'Germany',
      isActive: false,
      name: { en: '3 months' },
    });
    expect(patched.body.name.ru).toBeUndefined();
    const cleared = await w
      .as(t.token, 'patch', plans(t, `/${second.id}`))
      .send({ location: null })
      .expect(200);
    expect(cleared.body.location).toBeNull();

    await w.as(t.token, 'delete', plans(t, `/${top.id}`)).expect(204);
    expect(await w.snapshot('bot_plans', t.botId)).not.toContain(top.id);
    await w
      .as(t.token, 'patch', plans(t, `/${top.id}`))
      .send({ priceMinor: 1 })
      .expect(404);

    const actions = await w.platform.query(
      `SELECT action FROM audit_logs WHERE bot_id = $1 AND target_type = 'plan' ORDER BY created_at, id`,
      [t.botId],
    );
    expect(actions.map((r: { action: string }) => r.action)).toEqual([
      'plan.create',
      'plan.create',
      'plan.create',
      'plan.update',
      'plan.update',
      'plan.delete',
    ]);
  });

  it('a plan with sales is deactivated, not deleted, and stays listed', async () => {
    const sold = (await w.as(a.token, 'post', plans(a)).send(plan()).expect(201)).body;
    await w.sale(a.botId, sold.id);
    const res = await w.as(a.token, 'delete', plans(a, `/${sold.id}`)).expect(200);
    expect(res.body).toMatchObject({ id: sold.id, isActive: false });
    const list = await w.as(a.token, 'get', plans(a)).expect(200);
    expect(list.body.find((p: { id: string }) => p.id === sold.id)).toMatchObject({ isActive: false });
    const [row] = await w.platform.query(`SELECT count(*)::int AS n FROM orders WHERE plan_id = $1`, [sold.id]);
    expect(row.n).toBe(1);
    const [audit] = await w.platform.query(
      `SELECT action FROM audit_logs WHERE bot_id = $1 AND target_id = $2 ORDER BY created_at DESC LIMIT 1`,
      [a.botId, sold.id],
    );
    expect(audit.action).toBe('plan.deactivate');
  });

  it('one trial plan per bot, mirrored in the trial_plan_id configuration', async () => {
    const t = await w.tenant();
    const trialOf = async () =>
      (await w.as(t.token, 'get', `/v1/bots/${t.botId}/configurations`).expect(200)).body.find(
        (c: { key: string }) => c.key === 'trial_plan_id',
      ).value;
    const flags = async () =>
      (await w.as(t.token, 'get', plans(t)).expect(200)).body
        .filter((p: { isTrial: boolean }) => p.isTrial)
        .map((p: { id: string }) => p.id);

    const p1 = (
      await w
        .as(t.token, 'post', plans(t))
        .send(plan({ isTrial: true, priceMinor: 0 }))
        .expect(201)
    ).body;
    expect(p1.isTrial).toBe(true);
    expect(await trialOf()).toBe(p1.id);
    const p2 = (await w.as(t.token, 'post', plans(t)).send(plan()).expect(201)).body;
    await w
      .as(t.token, 'patch', plans(t, `/${p2.id}`))
      .send({ isTrial: true })
      .expect(200);
    expect(await flags()).toEqual([p2.id]);
    expect(await trialOf()).toBe(p2.id);

    // Setting the configuration moves the flag too.
    await w.as(t.token, 'put', `/v1/bots/${t.botId}/configurations/trial_plan_id`).send({ value: p1.id }).expect(200);
    expect(await flags()).toEqual([p1.id]);
    // Another bot's plan, or no plan at all: 404, nothing changes.
    const theirs = (await w.as(b.token, 'post', plans(b)).send(plan()).expect(201)).body;
    for (const value of [theirs.id, randomUUID()]) {
      const res = await w.as(t.token, 'put', `/v1/bots/${t.botId}/configurations/trial_plan_id`).send({ value });
      expect(res.status).toBe(404);
    }
    expect(await trialOf()).toBe(p1.id);

    await w
      .as(t.token, 'patch', plans(t, `/${p1.id}`))
      .send({ isTrial: false })
      .expect(200);
    expect(await trialOf()).toBeNull();
    expect(await flags()).toEqual([]);

    await w.as(t.token, 'put', `/v1/bots/${t.botId}/configurations/trial_plan_id`).send({ value: p2.id }).expect(200);
    await w.as(t.token, 'delete', `/v1/bots/${t.botId}/configurations/trial_plan_id`).expect(200);
    expect(await flags()).toEqual([]);

    // Deleting the trial plan clears the configuration.
    await w.as(t.token, 'put', `/v1/bots/${t.botId}/configurations/trial_plan_id`).send({ value: p2.id }).expect(200);
    await w.as(t.token, 'delete', plans(t, `/${p2.id}`)).expect(204);
    expect(await trialOf()).toBeNull();
  });

  it('a plan priced 0 is only ever the trial plan: 400 on priceMinor otherwise, nothing written', async () => {
    const t = await w.tenant();
    const sold = (await w.as(t.token, 'post', plans(t)).send(plan()).expect(201)).body;
    const before = await w.snapshot('bot_plans', t.botId);
    const refusals = [
      await w.as(t.token, 'post', plans(t)).send(plan({ priceMinor: 0 })),
      await w.as(t.token, 'post', plans(t)).send(plan({ priceMinor: 0, isTrial: false })),
      await w.as(t.token, 'patch', plans(t, `/${sold.id}`)).send({ priceMinor: 0 }),
    ];
    for (const res of refusals) {
      expectFieldError(res, 'priceMinor');
      expect(res.body.error.details[0].errors[0]).toMatch(/trial/);
    }
    expect(await w.snapshot('bot_plans', t.botId)).toBe(before);

    // Free as the trial plan; when another plan becomes the trial, the free one is taken off sale.
    const free = (
      await w
        .as(t.token, 'post', plans(t))
        .send(plan({ priceMinor: 0, isTrial: true }))
        .expect(201)
    ).body;
    expectFieldError(
      await w.as(t.token, 'patch', plans(t, `/${free.id}`)).send({ isActive: true, isTrial: false }),
      'priceMinor',
    );
    await w
      .as(t.token, 'patch', plans(t, `/${sold.id}`))
      .send({ isTrial: true })
      .expect(200);
    const after = (await w.as(t.token, 'get', plans(t)).expect(200)).body.find((p: { id: string }) => p.id === free.id);
    expect(after).toMatchObject({ priceMinor: 0, isTrial: false, isActive: false });
    expectFieldError(await w.as(t.token, 'patch', plans(t, `/${free.id}`)).send({ isActive: true }), 'priceMinor');
    // Priced, it may be sold again.
    await w
      .as(t.token, 'patch', plans(t, `/${free.id}`))
      .send({ priceMinor: 10_000, isActive: true })
      .expect(200);
  });

  it('panelId must be an active VPN panel of the platform', async () => {
    const active = await panel(true);
    const inactive = await panel(false);
    const ok = await w
      .as(a.token, 'post', plans(a))
      .send(plan({ panelId: active }))
      .expect(201);
    expect(ok.body.panelId).toBe(active);
    for (const panelId of [inactive, randomUUID()]) {
      const before = await w.snapshot('bot_plans', a.botId);
      expectFieldError(await w.as(a.token, 'post', plans(a)).send(plan({ panelId })), 'panelId');
      expectFieldError(await w.as(a.token, 'patch', plans(a, `/${ok.body.id}`)).send({ panelId }), 'panelId');
      expect(await w.snapshot('bot_plans', a.botId)).toBe(before);
    }
    const cleared = await w
      .as(a.token, 'patch', plans(a, `/${ok.body.id}`))
      .send({ panelId: null })
      .expect(200);
    expect(cleared.body.panelId).toBeNull();
  });

  describe('bad input → 400 naming the field, nothing written', () => {
    const createCases: [string, Record<string, unknown>, string][] = [
      ['missing name', plan({ name: undefined }), 'name'],
      ['name with no language', plan({ name: {} }), 'name'],
      ['name as text', plan({ name: 'Gold' }), 'name'],
      ['unknown language', plan({ name: { de: 'Gold' } }), 'name.de'],
      ['name oversize', plan({ name: { en: 'x'.repeat(101) } }), 'name.en'],
      ['name blank', plan({ name: { en: '  ' } }), 'name.en'],
      ['missing periodDays', plan({ periodDays: undefined }), 'periodDays'],
      ['periodDays zero', plan({ periodDays: 0 }), 'periodDays'],
      ['periodDays over ten years', plan({ periodDays: 3651 }), 'periodDays'],
      ['priceMinor negative', plan({ priceMinor: -1 }), 'priceMinor'],
      ['priceMinor fractional', plan({ priceMinor: 10.5 }), 'priceMinor'],
      ['priceMinor as text', plan({ priceMinor: '1000' }), 'priceMinor'],
      ['priceMinor huge', plan({ priceMinor: 1e20 }), 'priceMinor'],
      ['missing trafficLimitGb', plan({ trafficLimitGb: undefined }), 'trafficLimitGb'],
      ['deviceLimit over 100', plan({ deviceLimit: 101 }), 'deviceLimit'],
      ['panelId not a uuid', plan({ panelId: 'panel-1' }), 'panelId'],
      ['location oversize', plan({ location: 'l'.repeat(101) }), 'location'],
      ['sortOrder null', plan({ sortOrder: null }), 'sortOrder'],
      ['isTrial as text', plan({ isTrial: 'true' }), 'isTrial'],
      ['unknown field', plan({ wholesaleMinor: 5 }), 'wholesaleMinor'],
    ];

    it.each(createCases)('POST: %s', async (_n, body, field) => {
      const before = await w.snapshot('bot_plans', a.botId);
      const audits = await w.auditCount(a.botId);
      expectFieldError(await w.as(a.token, 'post', plans(a)).send(body), field);
      expect(await w.snapshot('bot_plans', a.botId)).toBe(before);
      expect(await w.auditCount(a.botId)).toBe(audits);
    });

    const patchCases: [string, Record<string, unknown>, string][] = [
      ['name null', { name: null }, 'name'],
      ['name empty', { name: {} }, 'name'],
      ['periodDays null', { periodDays: null }, 'periodDays'],
      ['isActive null', { isActive: null }, 'isActive'],
      ['deviceLimit negative', { deviceLimit: -1 }, 'deviceLimit'],
      ['unknown field', { id: randomUUID() }, 'id'],
    ];

    it.each(patchCases)('PATCH: %s', async (_n, body, field) => {
      const target = (await w.as(a.token, 'post', plans(a)).send(plan()).expect(201)).body;
      const before = await w.snapshot('bot_plans', a.botId);
      const audits = await w.auditCount(a.botId);
      expectFieldError(await w.as(a.token, 'patch', plans(a, `/${target.id}`)).send(body), field);
      expect(await w.snapshot('bot_plans', a.botId)).toBe(before);
      expect(await w.auditCount(a.botId)).toBe(audits);
    });
  });

  it("another tenant's plan ids answer 404 and the plan is unchanged", async () => {
    const theirs = (await w.as(b.token, 'post', plans(b)).send(plan()).expect(201)).body;
    const before = await w.snapshot('bot_plans', b.botId);
    await w
      .as(a.token, 'patch', plans(a, `/${theirs.id}`))
      .send({ priceMinor: 1 })
      .expect(404);
    await w.as(a.token, 'delete', plans(a, `/${theirs.id}`)).expect(404);
    await w.as(a.token, 'get', plans(b)).expect(404);
    await w.as(a.token, 'post', plans(b)).send(plan()).expect(404);
    await w
      .as(a.token, 'patch', plans(b, `/${theirs.id}`))
      .send({ priceMinor: 1 })
      .expect(404);
    await w.as(a.token, 'delete', plans(b, `/${theirs.id}`)).expect(404);
    expect(await w.snapshot('bot_plans', b.botId)).toBe(before);
    const mine = (await w.as(a.token, 'get', plans(a)).expect(200)).body;
    expect(mine.map((p: { id: string }) => p.id)).not.toContain(theirs.id);
  });
});
