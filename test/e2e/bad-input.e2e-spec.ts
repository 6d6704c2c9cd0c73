import { ApiHarness, RegisteredBot } from './support/api-harness';

type Method = 'post' | 'put' | 'patch';
interface Case {
  why: string;
  body: unknown;
  field: string;
}

/**
 * RELIABILITY.md 15: every write endpoint of onboarding, the bot and the operator answers bad
 * input with 400 VALIDATION_FAILED naming the field, and writes nothing (the whole database is
 * fingerprinted before and after).
 */
describe('Bad input on the platform write endpoints', () => {
  let h: ApiHarness;
  let bot: RegisteredBot;
  let panelId: string;
  let validToken: string;

  beforeAll(async () => {
    h = await ApiHarness.start();
    bot = await h.registerBot();
    validToken = h.telegram.createBot().token;
    const panel = await h
      .as(h.master, 'post', '/v1/admin/panels')
      .send({ name: 'R', type: 'remnawave', baseUrl: 'https://r.example.com', credentials: { apiKey: 'k' } })
      .expect(201);
    panelId = panel.body.id;
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
        `SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS f FROM "${t}" x`,
      );
      out[t] = r.f;
    }
    return out;
  }

  const long = (n: number) => 'a'.repeat(n);
  const onboarding = (over: Record<string, unknown>, drop?: string) => {
    const body: Record<string, unknown> = { name: 'Shop', telegramBotToken: validToken, ownerTelegramId: 5, ...over };
    if (drop) delete body[drop];
    return body;
  };

  // Built inside the test, once beforeAll has made the bot, the panel and a valid token.
  const endpoints = (): { method: Method; path: () => string; token?: () => string; cases: Case[] }[] => [
    {
      method: 'post',
      path: () => '/v1/bots',
      cases: [
        { why: 'missing', body: onboarding({}, 'name'), field: 'name' },
        { why: 'missing', body: onboarding({}, 'telegramBotToken'), field: 'telegramBotToken' },
        { why: 'missing', body: onboarding({}, 'ownerTelegramId'), field: 'ownerTelegramId' },
        { why: 'wrong type', body: onboarding({ ownerTelegramId: '5' }), field: 'ownerTelegramId' },
        { why: 'wrong type', body: onboarding({ name: 12 }), field: 'name' },
        { why: 'malformed token', body: onboarding({ telegramBotToken: 'not-a-token' }), field: 'telegramBotToken' },
        { why: 'out of range', body: onboarding({ ownerTelegramId: 0 }), field: 'ownerTelegramId' },
        { why: 'out of range', body: onboarding({ ownerTelegramId: 2 ** 60 }), field: 'ownerTelegramId' },
        { why: 'not in the list', body: onboarding({ defaultLanguage: 'de' }), field: 'defaultLanguage' },
        { why: 'bad format', body: onboarding({ currency: 'rial' }), field: 'currency' },
        { why: 'bad format', body: onboarding({ supportUsername: 'a b' }), field: 'supportUsername' },
        { why: 'unknown field', body: onboarding({ isMaster: true }), field: 'isMaster' },
        { why: 'oversize', body: onboarding({ name: long(101) }), field: 'name' },
        { why: 'oversize', body: onboarding({ inviteCode: long(65) }), field: 'inviteCode' },
        { why: 'blank', body: onboarding({ name: '   ' }), field: 'name' },
      ],
    },
    {
      method: 'patch',
      path: () => `/v1/bots/${bot.id}`,
      token: () => bot.apiToken,
      cases: [
        { why: 'null for a required setting', body: { name: null }, field: 'name' },
        { why: 'wrong type', body: { adminChatId: '-100' }, field: 'adminChatId' },
        { why: 'out of range', body: { adminTopicId: 0 }, field: 'adminTopicId' },
        { why: 'out of range', body: { notificationTopicId: 2 ** 31 }, field: 'notificationTopicId' },
        { why: 'not allowed', body: { status: 'suspended' }, field: 'status' },
        { why: 'not allowed', body: { status: 'deleted' }, field: 'status' },
        { why: 'unknown field', body: { walletBalanceMinor: 1e9 }, field: 'walletBalanceMinor' },
        { why: 'unknown field', body: { apiTokenHash: 'x' }, field: 'apiTokenHash' },
        { why: 'oversize', body: { name: long(101) }, field: 'name' },
        { why: 'bad format', body: { currency: 'US' }, field: 'currency' },
      ],
    },
    {
      method: 'put',
      path: () => `/v1/bots/${bot.id}/telegram-token`,
      token: () => bot.apiToken,
      cases: [
        { why: 'missing', body: {}, field: 'telegramBotToken' },
        { why: 'wrong type', body: { telegramBotToken: 123 }, field: 'telegramBotToken' },
        {
          why: 'wrong type',
          body: { telegramBotToken: validToken, allowDifferentBot: 'yes' },
          field: 'allowDifferentBot',
        },
        { why: 'oversize', body: { telegramBotToken: `123456:${long(200)}` }, field: 'telegramBotToken' },
        { why: 'unknown field', body: { telegramBotToken: validToken, force: true }, field: 'force' },
      ],
    },
    {
      method: 'put',
      path: () => `/v1/bots/${bot.id}/admins`,
      token: () => bot.apiToken,
      cases: [
        { why: 'missing', body: {}, field: 'telegramIds' },
        { why: 'wrong type', body: { telegramIds: 'x' }, field: 'telegramIds' },
        { why: 'wrong item type', body: { telegramIds: ['1'] }, field: 'telegramIds' },
        { why: 'out of range', body: { telegramIds: [-1] }, field: 'telegramIds' },
        { why: 'oversize', body: { telegramIds: Array.from({ length: 21 }, (_, i) => i + 1) }, field: 'telegramIds' },
        { why: 'unknown field', body: { telegramIds: [], owner: 1 }, field: 'owner' },
      ],
    },
    {
      method: 'post',
      path: () => `/v1/admin/bots/${bot.id}/wallet/top-ups`,
      cases: [
        { why: 'missing', body: {}, field: 'amountMinor' },
        { why: 'wrong type', body: { amountMinor: '100' }, field: 'amountMinor' },
        { why: 'out of range', body: { amountMinor: 0 }, field: 'amountMinor' },
        { why: 'out of range', body: { amountMinor: 1.5 }, field: 'amountMinor' },
        { why: 'oversize', body: { amountMinor: 10, note: long(501) }, field: 'note' },
        { why: 'unknown field', body: { amountMinor: 10, botId: bot.id }, field: 'botId' },
      ],
    },
    {
      method: 'put',
      path: () => `/v1/admin/bots/${bot.id}/features/zarinpal/allowed`,
      cases: [
        { why: 'missing', body: {}, field: 'allowed' },
        { why: 'wrong type', body: { allowed: 'true' }, field: 'allowed' },
        { why: 'unknown field', body: { allowed: true, enabled: true }, field: 'enabled' },
      ],
    },
    {
      method: 'put',
      path: () => `/v1/admin/bots/${bot.id}/wholesale-price`,
      cases: [
        { why: 'missing', body: { perPlanMinor: 1, perGbMinor: 1, perDayMinor: 1 }, field: 'unlimitedTrafficGb' },
        {
          why: 'wrong type',
          body: { perPlanMinor: '1', perGbMinor: 1, perDayMinor: 1, unlimitedTrafficGb: 0 },
          field: 'perPlanMinor',
        },
        {
          why: 'out of range',
          body: { perPlanMinor: -1, perGbMinor: 1, perDayMinor: 1, unlimitedTrafficGb: 0 },
          field: 'perPlanMinor',
        },
        {
          why: 'oversize',
          body: { perPlanMinor: 1, perGbMinor: 1, perDayMinor: 1, unlimitedTrafficGb: 1e9 },
          field: 'unlimitedTrafficGb',
        },
        {
          why: 'unknown field',
          body: { perPlanMinor: 1, perGbMinor: 1, perDayMinor: 1, unlimitedTrafficGb: 0, x: 1 },
          field: 'x',
        },
      ],
    },
    {
      method: 'post',
      path: () => '/v1/admin/invites',
      cases: [
        { why: 'wrong type', body: { note: 5 }, field: 'note' },
        { why: 'bad date', body: { expiresAt: 'tomorrow' }, field: 'expiresAt' },
        { why: 'in the past', body: { expiresAt: '2001-01-01T00:00:00Z' }, field: 'expiresAt' },
        { why: 'oversize', body: { note: long(201) }, field: 'note' },
        { why: 'unknown field', body: { code: 'mine' }, field: 'code' },
      ],
    },
    {
      method: 'post',
      path: () => '/v1/admin/panels',
      cases: [
        {
          why: 'missing',
          body: { name: 'P', type: 'remnawave', baseUrl: 'https://p.example.com' },
          field: 'credentials',
        },
        {
          why: 'missing credential',
          body: {
            name: 'P',
            type: 'marzban',
            baseUrl: 'https://p.example.com',
            credentials: { username: 'u' },
            settings: { proxies: { vless: {} } },
          },
          field: 'credentials.username',
        },
        {
          why: 'wrong type',
          body: { name: 'P', type: 'remnawave', baseUrl: 'https://p.example.com', credentials: 'k' },
          field: 'credentials',
        },
        {
          why: 'not in the list',
          body: { name: 'P', type: 'wireguard', baseUrl: 'https://p.example.com', credentials: { apiKey: 'k' } },
          field: 'type',
        },
        {
          why: 'bad url',
          body: { name: 'P', type: 'remnawave', baseUrl: 'ftp://p', credentials: { apiKey: 'k' } },
          field: 'baseUrl',
        },
        {
          why: 'url with a password',
          body: { name: 'P', type: 'remnawave', baseUrl: 'https://u:pw@p.example.com', credentials: { apiKey: 'k' } },
          field: 'baseUrl',
        },
        {
          why: 'out of range',
          body: {
            name: 'P',
            type: 'remnawave',
            baseUrl: 'https://p.example.com',
            credentials: { apiKey: 'k' },
            capacity: -1,
          },
          field: 'capacity',
        },
        {
          why: 'oversize',
          body: { name: 'P', type: 'remnawave', baseUrl: 'https://p.example.com', credentials: { apiKey: long(9000) } },
          field: 'credentials',
        },
        {
          why: 'unknown field',
          body: {
            name: 'P',
            type: 'remnawave',
            baseUrl: 'https://p.example.com',
            credentials: { apiKey: 'k' },
            activeUsers: 5,
          },
          field: 'activeUsers',
        },
      ],
    },
    {
      method: 'patch',
      path: () => `/v1/admin/panels/${panelId}`,
      cases: [
        { why: 'null for a required field', body: { name: null }, field: 'name' },
        { why: 'type change without its credentials', body: { type: 'xui' }, field: 'credentials.username' },
        { why: 'wrong type', body: { isActive: 'no' }, field: 'isActive' },
        { why: 'oversize', body: { settings: { big: long(9000) } }, field: 'settings' },
        { why: 'unknown field', body: { hasCredentials: false }, field: 'hasCredentials' },
      ],
    },
  ];

  it('answers 400 VALIDATION_FAILED naming the field for every case, and writes nothing', async () => {
    const before = await fingerprint();
    const failures: string[] = [];
    let count = 0;
    for (const e of endpoints()) {
      for (const c of e.cases) {
        count++;
        const req = h.as(e.token?.() ?? h.master, e.method, e.path()).set('Idempotency-Key', `bad-${count}`);
        const res = await req.send(c.body as object);
        const fields: string[] = (res.body?.error?.details ?? []).map((d: { field: string }) => d.field);
        if (res.status !== 400 || res.body?.error?.code !== 'VALIDATION_FAILED' || !fields.includes(c.field)) {
          failures.push(
            `${e.method.toUpperCase()} ${e.path()} (${c.why}, ${c.field}): ${res.status} ${res.text.slice(0, 300)}`,
          );
        }
        if (c.field.toLowerCase().includes('token') && JSON.stringify(res.body).includes(validToken)) {
          failures.push(`${e.path()} echoed the token`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThan(60);
    expect(await fingerprint()).toEqual(before);
  });

  it('bad JSON and bad paging are 400, never 500', async () => {
    const res = await h
      .as(h.master, 'post', '/v1/admin/invites')
      .set('Content-Type', 'application/json')
      .send('{"note": ')
      .expect(400);
    expect(res.body.error).toEqual({ code: expect.any(String), message: expect.any(String) });
    for (const q of ['page=0', 'pageSize=1000', 'page=abc', 'status=gone']) {
      const r = await h.as(h.master, 'get', `/v1/admin/bots?${q}`).expect(400);
      expect(r.body.error.details[0].field).toBe(q.split('=')[0]);
    }
    await h.as(bot.apiToken, 'get', `/v1/bots/${bot.id}/wallet/ledger?pageSize=0`).expect(400);
  });
});
