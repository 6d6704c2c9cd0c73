import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ApiHarness, RegisteredBot } from './support/api-harness';
import {
  bodySchema,
  OpenApiDoc,
  Operation,
  operations,
  pathParams,
  isIdParam,
  resolve,
  sample,
  Schema,
} from './support/openapi';

/**
 * Issue 11 "Done when": a hostile client's malformed input, sent to EVERY operation of
 * /docs-json (so a new endpoint is covered without a test of its own), as the master and as a
 * tenant, never gets an answer ≥ 500 and never changes a row (the whole database is
 * fingerprinted through the platform connection before and after).
 *
 * Per operation: bad ids in each id path parameter (non-UUID, 36-character non-UUID); empty,
 * NUL and huge values in each query parameter; and for operations with a JSON body: every field
 * of the wrong type, huge, NUL, a lone surrogate, a huge number; each required field missing; an
 * unknown field; `__proto__` / `constructor` / `prototype` keys; JSON nested thousands deep;
 * invalid JSON; wrong content types; a required header missing.
 */
describe('Malformed-input sweep generated from /docs-json', () => {
  let h: ApiHarness;
  let doc: OpenApiDoc;
  let bot: RegisteredBot;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    h = await ApiHarness.start();
    bot = await h.registerBot({ name: 'Sweep tenant' });
    doc = (await h.http.get('/docs-json').expect(200)).body;
    ids.set('botId', bot.id);
    // Real rows behind the child ids where the API can make them, so bad bodies reach the handlers.
    const make = async (path: string, idParam: string) => {
      const op = doc.paths[path]?.post;
      if (!op) return;
      const res = await h
        .as(h.master, 'post', path.replace('{botId}', bot.id))
        .set('Idempotency-Key', randomUUID())
        .send(sample(doc, bodySchema(doc, op)) as object);
      if (res.status === 201 && typeof res.body?.id === 'string') ids.set(idParam, res.body.id);
    };
    await make('/v1/admin/panels', 'panelId');
    await make('/v1/admin/invites', 'id');
    await make('/v1/bots/{botId}/plans', 'planId');
    await make('/v1/bots/{botId}/payment-cards', 'cardId');
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function fingerprint(): Promise<Record<string, string>> {
    const tables: { t: string }[] = await h.platformDb.query(
      `SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r' AND has_table_privilege(c.oid, 'SELECT') ORDER BY 1`,
    );
    const out: Record<string, string> = {};
    for (const { t } of tables) {
      const [r] = await h.platformDb.query(
        `SELECT count(*) AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS f FROM "${t}" x`,
      );
      out[t] = `${r.n}:${r.f}`;
    }
    return out;
  }

  interface Probe {
    why: string;
    path: string;
    query?: string;
    /** A raw body (string) sent with `contentType`, or a value sent as JSON. */
    raw?: string;
    json?: unknown;
    contentType?: string;
    dropHeader?: string;
    /** As the master: must be exactly 400 VALIDATION_FAILED naming this field. */
    field?: string;
  }

  const paramExample = (op: Operation, name: string): string => {
    const p = op.op.parameters?.find((x) => x.in === 'path' && x.name === name) as
      { example?: unknown; schema?: Schema } | undefined;
    const ex = p?.example ?? p?.schema?.example ?? p?.schema?.enum?.[0];
    return ex !== undefined ? String(ex) : 'x';
  };

  const fillPath = (op: Operation, override: Record<string, string> = {}): string =>
    op.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
      encodeURIComponent(
        override[name] ?? (isIdParam(name) ? (ids.get(name) ?? randomUUID()) : paramExample(op, name)),
      ),
    );

  const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  const HUGE = 'a'.repeat(20_000);

  /** Values of the wrong kind and hostile values for one field of a given schema. */
  function badValues(s: Schema & { nullable?: boolean }): { why: string; value: unknown }[] {
    const wrongType = s.type === 'string' || typeof s.example === 'string' ? 12345 : 'x';
    return [
      { why: 'wrong type', value: wrongType },
      ...(s.nullable ? [] : [{ why: 'null', value: null }]),
      { why: 'array instead', value: [wrongType] },
      { why: 'huge string', value: HUGE },
      { why: 'NUL in a string', value: 'ab\u0000cd' },
      { why: 'lone surrogate', value: 'ab\ud800cd' },
      { why: 'huge number', value: 1e308 },
      { why: 'number past 2^64', value: 2 ** 70 },
      { why: 'negative number', value: -(2 ** 62) },
      { why: 'NUL in an array', value: ['\u0000'] },
      { why: '__proto__ inside', value: JSON.parse('{"__proto__":{"x":1}}') },
      { why: 'deep object', value: JSON.parse(deep(200)) },
    ];
  }

  function probes(op: Operation): Probe[] {
    const out: Probe[] = [];
    // Bad ids and hostile keys in the path.
    for (const name of pathParams(op.path)) {
      if (isIdParam(name)) {
        out.push({ why: `${name} not a UUID`, path: fillPath(op, { [name]: 'not-a-uuid' }), field: name });
        out.push({
          why: `${name} 36-char non-UUID`,
          path: fillPath(op, { [name]: 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz' }),
          field: name,
        });
        out.push({
          why: `${name} UUID with NUL`,
          path: fillPath(op, { [name]: `${randomUUID()}\u0000` }),
          field: name,
        });
      } else {
        for (const v of ['__proto__', 'constructor', 'toString', 'a\u0000b', 'x'.repeat(2000)]) {
          out.push({ why: `${name}=${JSON.stringify(v.slice(0, 12))}`, path: fillPath(op, { [name]: v }) });
        }
      }
    }
    // Hostile query values.
    const path = fillPath(op);
    for (const q of op.op.parameters?.filter((p) => p.in === 'query') ?? []) {
      for (const v of ['', '%00', 'a%00b', '%ED%A0%80', encodeURIComponent(HUGE.slice(0, 5000)), '-1', '1e400', 'x']) {
        out.push({ why: `?${q.name}=${v.slice(0, 12)}`, path, query: `${q.name}=${v}` });
      }
      out.push({ why: `?${q.name} twice`, path, query: `${q.name}=1&${q.name}=2` });
      out.push({ why: `?${q.name}[a]=1`, path, query: `${q.name}[a]=1` });
    }
    if (op.op.parameters?.some((p) => p.in === 'query')) {
      out.push({ why: 'unknown query', path, query: 'unknownParam=1' });
      out.push({ why: '__proto__ query', path, query: '__proto__[x]=1' });
    }
    const schema = bodySchema(doc, op.op);
    if (!schema) return out;

    // Bodies: the documented sample with one thing wrong at a time.
    const base = (sample(doc, schema) ?? {}) as Record<string, unknown>;
    const props = schema.properties ?? {};
    const required = new Set(schema.required ?? []);
    for (const [name, ps] of Object.entries(props)) {
      const s = resolve(doc, ps);
      for (const b of badValues(s)) {
        const named = ['NUL in a string', 'lone surrogate', 'wrong type'].includes(b.why) ? name : undefined;
        out.push({ why: `${name}: ${b.why}`, path, json: { ...base, [name]: b.value }, field: named });
      }
      if (required.has(name)) {
        const copy = { ...base };
        delete copy[name];
        out.push({ why: `${name} missing`, path, json: copy });
      }
    }
    const withKey = (k: string) => `{${JSON.stringify(k)}:{"isMaster":true},${JSON.stringify(base).slice(1)}`;
    out.push(
      { why: 'unknown field', path, json: { ...base, unknownField: 1 } },
      { why: '__proto__ key', path, raw: withKey('__proto__').replace(/,}$/, '}'), field: '__proto__' },
      { why: 'constructor key', path, raw: withKey('constructor').replace(/,}$/, '}'), field: 'constructor' },
      { why: 'prototype key', path, raw: withKey('prototype').replace(/,}$/, '}'), field: 'prototype' },
      { why: 'NUL in a key', path, json: { ...base, 'a\u0000': 1 } },
      { why: 'JSON nested 5000 deep', path, raw: deep(5000) },
      { why: 'array nested 5000 deep', path, raw: '['.repeat(5000) + ']'.repeat(5000) },
      { why: 'invalid JSON', path, raw: '{"a": ' },
      { why: 'JSON null', path, raw: 'null' },
      { why: 'JSON array', path, raw: '[]' },
      { why: 'JSON string', path, raw: '"x"' },
      { why: 'JSON number', path, raw: '1e400' },
      { why: 'text/plain', path, raw: JSON.stringify(base), contentType: 'text/plain' },
      { why: 'form', path, raw: 'a=1', contentType: 'application/x-www-form-urlencoded' },
      { why: 'no content type', path, raw: JSON.stringify(base), contentType: '' },
    );
    // No body at all is malformed only where fields are required (an empty object is one).
    if (required.size) out.push({ why: 'empty body', path, raw: '' });
    // A required header left out, with an otherwise valid body.
    for (const p of op.op.parameters ?? []) {
      if (p.in === 'header' && p.required) {
        out.push({ why: `no ${p.name}`, path, json: base, dropHeader: p.name, field: p.name });
      }
    }
    return out;
  }

  async function send(token: string, op: Operation, p: Probe, n: number) {
    const url = p.query ? `${p.path}?${p.query}` : p.path;
    let req = h.as(token, op.method, url);
    for (const hp of op.op.parameters ?? []) {
      if (hp.in === 'header' && hp.name !== p.dropHeader && /idempotency/i.test(hp.name)) {
        req = req.set(hp.name, `sweep-${n}`);
      }
    }
    if (p.raw !== undefined) {
      if (p.contentType !== '') req = req.set('Content-Type', p.contentType ?? 'application/json');
      return req.send(p.raw);
    }
    if (p.json !== undefined) {
      return req.set('Content-Type', 'application/json').send(JSON.stringify(p.json));
    }
    return req;
  }

  it('answers every malformed request below 500 and changes nothing, as the master and as a tenant', async () => {
    const ops = operations(doc).filter((o) => !o.path.startsWith('/telegram/'));
    expect(ops.length).toBeGreaterThan(30);
    const before = await fingerprint();
    const failures: string[] = [];
    const accepted: string[] = [];
    const unnamed: string[] = [];
    let n = 0;
    for (const op of ops) {
      const list = probes(op);
      for (const [who, token] of [
        ['master', h.master],
        ['tenant', bot.apiToken],
      ] as const) {
        for (const p of list) {
          n++;
          let status: number;
          let text = '';
          try {
            const res = await send(token, op, p, n);
            status = res.status;
            text = res.text ?? '';
          } catch (e) {
            status = 599;
            text = String(e);
          }
          // A write that accepted a malformed request applied it: each one must be refused.
          if (op.method !== 'get' && status < 400) {
            accepted.push(`${who} ${op.method.toUpperCase()} ${op.path} (${p.why}): ${status} ${text.slice(0, 160)}`);
          }
          if (who === 'master' && p.field !== undefined) {
            const res = JSON.parse(text || '{}') as { error?: { code?: string; details?: { field: string }[] } };
            const fields = Array.isArray(res.error?.details) ? res.error.details.map((d) => d.field) : [];
            if (status !== 400 || res.error?.code !== 'VALIDATION_FAILED' || !fields.includes(p.field)) {
              unnamed.push(`${op.method.toUpperCase()} ${op.path} (${p.why}): ${status} ${text.slice(0, 160)}`);
            }
          }
          if (status >= 500) {
            failures.push(`${who} ${op.method.toUpperCase()} ${op.path} (${p.why}): ${status} ${text.slice(0, 160)}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(accepted).toEqual([]);
    expect(unnamed).toEqual([]);
    expect(n).toBeGreaterThan(1000);
    expect(await fingerprint()).toEqual(before);
  }, 600_000);

  /** Every `export class X` in a file that documents DTOs with @ApiProperty, under dir. */
  function dtoClassNames(dir: string): string[] {
    const out: string[] = [];
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) out.push(...dtoClassNames(full));
      else if (/\.ts$/.test(entry) && !/spec\.ts$/.test(entry)) {
        const text = readFileSync(full, 'utf8');
        if (text.includes('@ApiProperty')) out.push(...[...text.matchAll(/^export class (\w+)/gm)].map((m) => m[1]));
      }
    }
    return out;
  }

  it('documents every field with a type, nullable where null is accepted, no two DTOs under one schema name, and the Idempotency-Key of money-moving POSTs', () => {
    // Two DTO classes of one name collapse into one schema: one of them is documented wrongly.
    const root = join(__dirname, '../..');
    const names = [...dtoClassNames(join(root, 'apps/api/src')), ...dtoClassNames(join(root, 'libs'))];
    const dup = names.filter((n, i) => names.indexOf(n) !== i);
    expect(dup).toEqual([]);
    const schemas = doc.components?.schemas ?? {};
    // Every property says what it is (a `string | null` field without `type` is documented as "anything").
    const typeless: string[] = [];
    for (const [name, schema] of Object.entries(schemas)) {
      for (const [prop, ps] of Object.entries(schema.properties ?? {})) {
        const p = ps as Schema & { oneOf?: unknown[]; anyOf?: unknown[] };
        if (!p.type && !p.$ref && !p.allOf && !p.oneOf && !p.anyOf && !p.enum) typeless.push(`${name}.${prop}`);
      }
    }
    expect(typeless).toEqual([]);
    // Money-moving POSTs a client retries after a 503 document a required Idempotency-Key — except a refund of one
    // existing payment (`…/{id}/refund`): it is idempotent by the payment itself (refunded once, a repeat answers
    // 200 with the payment as it is; stars-cryptobot / zarinpal e2e refund concurrently and see one refund).
    const money = operations(doc).filter(
      (o) => o.method === 'post' && /top-ups|balance-adjustments|refund/.test(o.path),
    );
    expect(money.length).toBeGreaterThanOrEqual(2);
    for (const o of money) {
      const header = o.op.parameters?.find((p) => p.in === 'header' && /^idempotency-key$/i.test(p.name));
      const byPayment = /\/\{id\}\/refund$/.test(o.path);
      expect({ path: o.path, required: header?.required ?? byPayment }).toEqual({ path: o.path, required: true });
    }
  });
});
