import { INestApplication } from '@nestjs/common';
import {
  applyEnv,
  createTestEnv,
  freePort,
  spawnWorker,
  TelegramEmulator,
  TestEnv,
  waitFor,
  WorkerProcess,
} from '@botfleet/testing';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { QUICK_BOT_LEASES, startUpdateWithId } from './support/bot-chat';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The reseller's side of bot hosting, through the real REST API: a bot registered with POST /v1/bots
 * answers /start within 2 s; PATCH status paused silences it and active brings it back; a replaced token is
 * polled instead of the old one; a revoked token shows as token_invalid in GET /v1/bots/{id}; DELETE stops it.
 */
describe('bot hosting driven by the REST API', () => {
  const emu = new TelegramEmulator();
  let env: TestEnv;
  let api: INestApplication;
  let apiUrl: string;
  let restore: () => void;
  let worker: WorkerProcess;
  let botId: string;
  let tg: { id: number; token: string; username: string };
  let userSeq = 50_000;
  const user = () => ({ id: ++userSeq, first_name: `R${userSeq}` });

  const rest = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${env.masterToken}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
  };
  const polled = (id: number) => emu.getBotStats(id).activePollers === 1;

  beforeAll(async () => {
    const emuUrl = await emu.listen(0);
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    env = await createTestEnv({
      TELEGRAM_API_ROOT: emuUrl,
      ...QUICK_BOT_LEASES,
    });
    restore = applyEnv(env.vars);
    api = await createApiApp();
    await api.listen(port, '127.0.0.1');
    worker = await spawnWorker(env.vars);
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    restore?.();
    await emu.close();
    await env?.cleanup();
  });

  it('POST /v1/bots → the bot answers /start within 2 s', async () => {
    tg = emu.createBot({ username: 'rest_shop_bot' });
    const created = await rest('POST', '/v1/bots', {
      name: 'REST shop',
      telegramBotToken: tg.token,
      ownerTelegramId: 777_001,
      defaultLanguage: 'en',
    });
    expect(created.status).toBe(201);
    const t0 = Date.now();
    botId = (created.body.bot as { id: string }).id;
    const from = user();
    await emu.sendText(tg.id, { from, text: '/start' });
    await emu.waitForMessages(tg.id, from.id, 1, 2_000);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('PATCH status paused → silent; active → answers again', async () => {
    expect((await rest('PATCH', `/v1/bots/${botId}`, { status: 'paused' })).status).toBe(200);
    await waitFor(() => !polled(tg.id), 2_000);
    const from = user();
    await emu.sendText(tg.id, { from, text: '/start' });
    await sleep(1_500);
    expect(emu.getChatMessages(tg.id, from.id)).toHaveLength(0);
    expect((await rest('PATCH', `/v1/bots/${botId}`, { status: 'active' })).status).toBe(200);
    await emu.waitForMessages(tg.id, from.id, 1, 2_000);
  });

  it('PUT telegram-token → the new token is polled, the old one no longer', async () => {
    const next = emu.createBot({ username: 'rest_shop_v2_bot' });
    const res = await rest('PUT', `/v1/bots/${botId}/telegram-token`, {
      telegramBotToken: next.token,
      allowDifferentBot: true,
    });
    expect(res.status).toBe(200);
    await emu.waitForPolling(next.id, 2_000);
    await waitFor(() => !polled(tg.id), 2_000);
    const oldCalls = emu.getBotStats(tg.id).getUpdatesCalls;
    const from = user();
    await emu.sendText(next.id, { from, text: '/start' });
    await emu.waitForMessages(next.id, from.id, 1, 2_000);
    await sleep(1_000);
    expect(emu.getBotStats(tg.id).getUpdatesCalls).toBe(oldCalls);
    tg = next;
  });

  it('a revoked token shows as token_invalid in the API; DELETE stops a bot', async () => {
    emu.revokeToken(tg.id);
    await waitFor(async () => (await rest('GET', `/v1/bots/${botId}`)).body.status === 'token_invalid', 8_000);
    const other = emu.createBot();
    const created = await rest('POST', '/v1/bots', {
      name: 'Doomed',
      telegramBotToken: other.token,
      ownerTelegramId: 1,
    });
    const otherId = (created.body.bot as { id: string }).id;
    await emu.waitForPolling(other.id, 2_000);
    expect((await rest('DELETE', `/v1/bots/${otherId}`)).status).toBe(204);
    await waitFor(() => !polled(other.id), 2_000);
    const from = user();
    await emu.sendText(other.id, { from, text: '/start' });
    await sleep(1_000);
    expect(emu.getChatMessages(other.id, from.id)).toHaveLength(0);
  });

  it("a bot moved to another Telegram bot answers the new bot's updates whose ids the old one used", async () => {
    const first = emu.createBot({ username: 'moving_shop_bot' });
    const created = await rest('POST', '/v1/bots', {
      name: 'Moving shop',
      telegramBotToken: first.token,
      ownerTelegramId: 777_002,
      defaultLanguage: 'en',
    });
    expect(created.status).toBe(201);
    const movingId = (created.body.bot as { id: string }).id;
    const before = user();
    const { updateId } = emu.sendText(first.id, { from: before, text: '/start' });
    await emu.waitForMessages(first.id, before.id, 1, 5_000);

    const second = emu.createBot({ username: 'moved_shop_bot' });
    const moved = await rest('PUT', `/v1/bots/${movingId}/telegram-token`, {
      telegramBotToken: second.token,
      allowDifferentBot: true,
    });
    expect(moved.status).toBe(200);
    await emu.waitForPolling(second.id, 5_000);
    // Update ids are per Telegram bot: the new one may well send an id the old one already sent.
    const after = user();
    emu.pushUpdate(second.id, startUpdateWithId(updateId, after));
    await emu.waitForMessages(second.id, after.id, 1, 5_000);
  });
});
