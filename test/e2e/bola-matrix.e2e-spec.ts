import { randomUUID } from 'node:crypto';
import { seedEveryTenantTable } from '@botfleet/testing';
import { ApiHarness, RegisteredBot } from './support/api-harness';
import {
  bodySchema,
  isIdParam,
  OpenApiDoc,
  Operation,
  operations,
  pathParams,
  resolve,
  sample,
} from './support/openapi';

/** Collection path segment → table, where the names differ; otherwise `some-thing` → `some_thing`. */
const TABLE_OF_SEGMENT: Record<string, string> = {
  'payment-cards': 'tenant_payment_cards',
  plans: 'bot_plans',
  'card-payments': 'card_to_card_payments',
  'stars-payments': 'gateway_payments',
  'zarinpal-payments': 'zarinpal_payments',
  'promo-codes': 'promocodes',
  invites: 'invites',
  panels: 'vpn_panels',
};

interface ResolvedId {
  value: string;
  /** api: created through the API; db: an existing row of B; random: no such family yet. */
  source: 'api' | 'db' | 'random' | 'key';
}

/**
 * Broken object-level authorisation, for every operation the OpenAPI document lists (so a new
 * endpoint is covered without editing this file): tenant A's token on tenant B's bot, and on A's
 * own bot with B's child ids, answers 404; on /v1/admin it is refused; and none of it changes
 * a single row of B (compared through the platform connection before and after).
 */
describe('BOLA matrix generated from /docs-json', () => {
  let h: ApiHarness;
  let doc: OpenApiDoc;
  let a: RegisteredBot;
  let b: RegisteredBot;
  let tenantTables: string[];
  const ids = new Map<string, ResolvedId>();

  beforeAll(async () => {
    h = await ApiHarness.start();
    a = await h.registerBot({ name: 'Tenant A' });
    b = await h.registerBot({ name: 'Tenant B' });
    doc = (await h.http.get('/docs-json').expect(200)).body;
    // B gets a row in every tenant table (users, orders, card payments…: families the API only reads)…
    await seedEveryTenantTable(h.platformDb, b.id);
    tenantTables = (
      await h.platformDb.query(
        `SELECT table_name AS t FROM information_schema.columns
         WHERE table_schema = 'public' AND column_name = 'bot_id' ORDER BY 1`,
      )
    ).map((r: { t: string }) => r.t);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const fill = (template: string, values: Record<string, string>) =>
    template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name]));

  /** …and rows made through the API with the master token wherever the family has a POST. */
  async function resolveParam(path: string, name: string): Promise<ResolvedId> {
    const prefix = path.slice(0, path.indexOf(`/{${name}}`));
    const cacheKey = `${prefix}|${name}`;
    const cached = ids.get(cacheKey);
    if (cached) return cached;
    const values: Record<string, string> = { botId: b.id };
    for (const p of pathParams(prefix)) if (p !== 'botId') values[p] = (await resolveParam(prefix, p)).value;
    const collection = fill(prefix, values);
    let found: ResolvedId | undefined;

    if (!isIdParam(name)) {
      const param = doc.paths[path]?.[Object.keys(doc.paths[path])[0]]?.parameters?.find((p) => p.name === name);
      const example = resolve(doc, param?.schema).example ?? resolve(doc, param?.schema).enum?.[0];
      if (example !== undefined) found = { value: String(example), source: 'key' };
      else if (doc.paths[prefix]?.get) {
        const list = await h.as(h.master, 'get', collection);
        const items = Array.isArray(list.body) ? list.body : list.body?.items;
        if (items?.[0]?.[name] !== undefined) found = { value: String(items[0][name]), source: 'key' };
      }
      found ??= { value: 'x', source: 'key' };
    } else {
      const create = doc.paths[prefix]?.post;
      if (create) {
        const res = await h
          .as(h.master, 'post', collection)
          .send((sample(doc, bodySchema(doc, create)) as object) ?? {});
        if (res.status < 300 && typeof res.body?.id === 'string') found = { value: res.body.id, source: 'api' };
      }
      if (!found) {
        const segment = prefix.split('/').pop()!;
        const table = TABLE_OF_SEGMENT[segment] ?? segment.replace(/-/g, '_');
        const cols: { c: string }[] = await h.platformDb.query(
          `SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
          [table],
        );
        const names = cols.map((c) => c.c);
        if (names.includes('id')) {
          const rows: { id: string }[] = names.includes('bot_id')
            ? await h.platformDb.query(`SELECT id::text AS id FROM "${table}" WHERE bot_id = $1 LIMIT 1`, [b.id])
            : await h.platformDb.query(`SELECT id::text AS id FROM "${table}" LIMIT 1`);
          if (rows.length) found = { value: rows[0].id, source: 'db' };
        }
      }
      found ??= { value: randomUUID(), source: 'random' };
    }
    ids.set(cacheKey, found);
    return found;
  }

  /** Every row of B (and the platform tables a tenant must not reach), as JSON text. */
  async function snapshotOfB(): Promise<Record<string, string>> {
    const snap: Record<string, string> = {};
    for (const t of tenantTables) {
      const [row] = await h.platformDb.query(
        `SELECT coalesce(json_agg(x ORDER BY x::text), '[]')::text AS j FROM "${t}" x WHERE bot_id = $1`,
        [b.id],
      );
      snap[t] = row.j;
    }
    for (const [name, sql] of [
      ['bots', `SELECT row_to_json(x)::text AS j FROM bots x WHERE id = '${b.id}'`],
      ['invites', `SELECT coalesce(json_agg(x ORDER BY x::text), '[]')::text AS j FROM invites x`],
      ['vpn_panels', `SELECT coalesce(json_agg(x ORDER BY x::text), '[]')::text AS j FROM vpn_panels x`],
      ['admin_audit_log', `SELECT count(*)::text AS j FROM admin_audit_log`],
    ]) {
      snap[name] = (await h.platformDb.query(sql))[0].j;
    }
    return snap;
  }

  it('tenant A reaches none of B through any documented operation, and B is unchanged', async () => {
    // A signed media URL is its own credential (no token, no tenant to cross): its tampering is tested beside it.
    const CAPABILITY_URLS = ['/v1/media/receipts/{token}'];
    const targets = operations(doc).filter(
      (o) => o.path.startsWith('/v1/') && pathParams(o.path).length > 0 && !CAPABILITY_URLS.includes(o.path),
    );
    // Resolve every id of B first (this creates rows), then take the "before" picture.
    const plans: { o: Operation; values: Record<string, string>; sources: string[] }[] = [];
    for (const o of targets) {
      const values: Record<string, string> = {};
      const sources: string[] = [];
      for (const p of pathParams(o.path)) {
        if (p === 'botId') {
          values.botId = b.id;
          continue;
        }
        const r = await resolveParam(o.path, p);
        values[p] = r.value;
        sources.push(r.source);
      }
      plans.push({ o, values, sources });
    }
    const before = await snapshotOfB();

    const failures: string[] = [];
    let requests = 0;
    const send = async (o: Operation, url: string, token: string) => {
      requests++;
      const query: Record<string, unknown> = {};
      for (const p of o.op.parameters ?? []) if (p.in === 'query' && p.required) query[p.name] = sample(doc, p.schema);
      const body = bodySchema(doc, o.op) ? sample(doc, bodySchema(doc, o.op)) : undefined;
      const r = h.as(token, o.method, url).query(query).set('Idempotency-Key', `bola-${randomUUID()}`);
      return body === undefined ? r : r.send(body as object);
    };

    for (const { o, values, sources } of plans) {
      const label = `${o.method.toUpperCase()} ${o.path}`;
      const isAdmin = o.path.startsWith('/v1/admin/');
      const url = fill(o.path, values);
      const res = await send(o, url, a.apiToken);
      if (isAdmin ? ![403, 404].includes(res.status) : res.status !== 404) {
        failures.push(`${label} with B's ids: ${res.status} ${res.text.slice(0, 200)}`);
      }
      if (
        !isAdmin &&
        pathParams(o.path).includes('botId') &&
        pathParams(o.path).some((p) => p !== 'botId' && isIdParam(p))
      ) {
        const own = await send(o, fill(o.path, { ...values, botId: a.id }), a.apiToken);
        if (own.status !== 404)
          failures.push(`${label} on A's bot with B's child ids: ${own.status} ${own.text.slice(0, 200)}`);
      }
      // The ids are real: the master reaches what A may not (so this test can fail).
      if (!isAdmin && o.method === 'get' && !sources.includes('random')) {
        const master = await send(o, url, h.master);
        if (master.status === 404 || master.status >= 500) {
          failures.push(`${label}: the master could not read B's row either (${master.status}); the probe is not real`);
        }
      }
    }

    expect(failures).toEqual([]);
    expect(await snapshotOfB()).toEqual(before);
    // Discovery works: the families built so far are all in the matrix.
    const covered = new Set(targets.map((t) => `${t.method} ${t.path}`));
    for (const must of [
      'get /v1/bots/{botId}',
      'patch /v1/bots/{botId}',
      'delete /v1/bots/{botId}',
      'put /v1/bots/{botId}/telegram-token',
      'post /v1/bots/{botId}/api-token/rotate',
      'put /v1/bots/{botId}/admins',
      'get /v1/bots/{botId}/wallet/ledger',
      'post /v1/admin/bots/{botId}/wallet/top-ups',
      'patch /v1/admin/panels/{panelId}',
      'delete /v1/admin/invites/{id}',
    ]) {
      expect(covered).toContain(must);
    }
    expect(requests).toBeGreaterThanOrEqual(targets.length);
  });

  it('A still works on its own bot (the 404s above are not a broken token)', async () => {
    await h.as(a.apiToken, 'get', `/v1/bots/${a.id}`).expect(200);
    await h.as(a.apiToken, 'get', `/v1/bots/${a.id}/wallet`).expect(200);
  });
});
