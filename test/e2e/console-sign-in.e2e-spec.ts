import request from 'supertest';
import { AppProcess, createTestEnv, EmulatedBot, spawnApp, TelegramEmulator, TestEnv } from '@botfleet/testing';
import { BotChat, buttonsOf, ChatMessage, has, QUICK_BOT_LEASES, withButton } from './support/bot-chat';
import { HostedTenant, PublicApi } from './support/public-api';

const CONSOLE = 'https://console.botfleet.test';
const OWNER = { id: 717_001, first_name: 'Owner', language_code: 'en' };
const AGENT = { id: 717_002, first_name: 'Agent', language_code: 'en' };
const BUYER = { id: 717_010, first_name: 'Buyer', language_code: 'en' };
const OP = { id: 717_100, first_name: 'Operator', language_code: 'en' };

/** The URL of the message's sign-in button (a URL button, not a callback). */
const linkOf = (m: ChatMessage): string | undefined =>
  (buttonsOf(m) as { url?: string }[]).find((b) => b.url?.startsWith(`${CONSOLE}/console/login#code=`))?.url;
const codeOf = (url: string) => url.slice(url.indexOf('#code=') + '#code='.length);

/**
 * Signing in to the web console without typing a token, end to end: a spawned worker hosts a shop's bot and the
 * master bot on the Telegram emulator; the owner, a support agent and the operator each press "Open the web
 * console", take the one-time link from the bot's message and sign in over the public API with its code; the
 * session cookie then works like a bearer token (CSRF for writes), within the role, until sign-out.
 */
describe('web console sign-in through the bot', () => {
  jest.setTimeout(180_000);
  const emu = new TelegramEmulator();
  let env: TestEnv;
  let api: PublicApi;
  let worker: AppProcess | undefined;
  let shopTg: EmulatedBot;
  let masterTg: EmulatedBot;
  let shop: HostedTenant;
  let seq = 0;
  /** A request from an address of its own (failed sign-ins are counted per address). */
  const http = (method: 'get' | 'post' | 'delete', path: string) =>
    request(api.app.getHttpServer())[method](path).set('X-Forwarded-For', `10.71.0.${++seq}`);

  /** Presses "Open the web console" under `menu` and returns the link the bot sends back. */
  async function openConsole(chat: BotChat, menu: ChatMessage): Promise<string> {
    const before = chat.lastId();
    await chat.tap(menu, 'wc:o');
    const message = await chat.next(before, (m) => !!linkOf(m));
    expect(message.text).toContain('works once');
    return linkOf(message)!;
  }

  async function signIn(code: string) {
    const res = await http('post', '/v1/sessions').send({ code }).expect(201);
    const cookie = ([] as string[])
      .concat(res.headers['set-cookie'])
      .find((c) => c.startsWith('bf_session='))!
      .split(';')[0];
    return { cookie, csrf: res.body.csrfToken as string, session: res.body.session };
  }

  beforeAll(async () => {
    const url = await emu.listen(0);
    masterTg = emu.createBot({ username: 'console_master_bot' });
    shopTg = emu.createBot({ username: 'console_shop_bot' });
    env = await createTestEnv({
      TELEGRAM_API_ROOT: url,
      MASTER_BOT_TOKEN: masterTg.token,
      MASTER_ADMIN_TELEGRAM_IDS: String(OP.id),
      PUBLIC_BASE_URL: CONSOLE,
      ...QUICK_BOT_LEASES,
      OPERATOR_ALERT_INTERVAL_MS: '0',
    });
    api = await PublicApi.start(env);
    shop = await api.registerBot(shopTg, { name: 'Console Shop', ownerTelegramId: OWNER.id });
    await api
      .as(shop.apiToken, 'put', `/v1/bots/${shop.id}/admins`)
      .send({ admins: [{ telegramId: AGENT.id, role: 'support' }] })
      .expect(200);
    worker = spawnApp('worker', env.vars);
    await emu.waitForPolling(shopTg.id, 30_000);
    await emu.waitForPolling(masterTg.id, 30_000);
  }, 90_000);

  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    await emu.close();
    await env?.cleanup();
  });

  it('the owner signs in with the link from /admin, manages plans with the cookie, and the link works once', async () => {
    const owner = new BotChat(emu, shopTg, OWNER, { timeoutMs: 15_000 });
    const menu = await owner.send('/admin', withButton('wc:o'));
    const link = await openConsole(owner, menu);
    const code = codeOf(link);
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const s = await signIn(code);
    expect(s.session).toMatchObject({ kind: 'tenant', botId: shop.id, role: 'owner', telegramId: OWNER.id });
    const me = await http('get', '/v1/sessions/current').set('Cookie', s.cookie).expect(200);
    expect(me.body.botName).toBe('Console Shop');

    // A write needs the CSRF token; with it, the plan is made and a customer sees it in the bot.
    const plan = {
      name: { en: 'Made in the console' },
      periodDays: 30,
      priceMinor: 5000,
      trafficLimitGb: 20,
      deviceLimit: 1,
    };
    const noCsrf = await http('post', `/v1/bots/${shop.id}/plans`).set('Cookie', s.cookie).send(plan).expect(403);
    expect(noCsrf.body.error.code).toBe('CSRF_FAILED');
    await http('post', `/v1/bots/${shop.id}/plans`)
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', s.csrf)
      .send(plan)
      .expect(201);
    const buyer = new BotChat(emu, shopTg, BUYER, { timeoutMs: 15_000 });
    const plans = await buyer.send('/buy', (m) => buttonsOf(m).some((b) => b.text.includes('Made in the console')));
    expect(plans.messageId).toBeGreaterThan(0);

    // The same link a second time: refused.
    const again = await http('post', '/v1/sessions').send({ code }).expect(401);
    expect(again.body.error.code).toBe('SIGN_IN_CODE_INVALID');

    // Sign out: the cookie no longer opens anything.
    await http('delete', '/v1/sessions/current').set('Cookie', s.cookie).set('X-CSRF-Token', s.csrf).expect(204);
    await http('get', `/v1/bots/${shop.id}/plans`).set('Cookie', s.cookie).expect(401);
  });

  it("a support agent's session reads tickets and customers but cannot change plans", async () => {
    const agent = new BotChat(emu, shopTg, AGENT, { timeoutMs: 15_000 });
    const menu = await agent.send('/admin', has('support agent'));
    const s = await signIn(codeOf(await openConsole(agent, menu)));
    expect(s.session).toMatchObject({ role: 'support', telegramId: AGENT.id });
    await http('get', `/v1/bots/${shop.id}/tickets`).set('Cookie', s.cookie).expect(200);
    await http('get', `/v1/bots/${shop.id}/users`).set('Cookie', s.cookie).expect(200);
    const refused = await http('post', `/v1/bots/${shop.id}/plans`)
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', s.csrf)
      .send({ name: { en: 'Nope' }, periodDays: 30, priceMinor: 1, trafficLimitGb: 1, deviceLimit: 1 })
      .expect(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
  });

  it('the operator signs in to the master console from the master bot', async () => {
    const operator = new BotChat(emu, masterTg, OP, { timeoutMs: 15_000 });
    const home = await operator.send('/start', withButton('wc:o'));
    const s = await signIn(codeOf(await openConsole(operator, home)));
    expect(s.session).toMatchObject({ kind: 'master', botId: null, role: 'operator', telegramId: OP.id });
    const bots = await http('get', '/v1/admin/bots').set('Cookie', s.cookie).expect(200);
    expect(bots.body.items.map((b: { id: string }) => b.id)).toContain(shop.id);
    // A stranger in the master bot has no such button (the ordinary shop answers them).
    const stranger = new BotChat(emu, masterTg, { id: 717_200, first_name: 'Stranger', language_code: 'en' });
    const start = await stranger.send('/start');
    expect(buttonsOf(start).some((b) => b.callback_data === 'wc:o')).toBe(false);
    const answer = await stranger.tap(start, 'wc:o', { forged: true });
    expect(answer.text).toBe('This is not available.');
  });
});
