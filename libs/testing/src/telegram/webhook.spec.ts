import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Update, WebhookInfo } from './bot-api-types';
import { TelegramEmulator } from './telegram-emulator';

// Generous: these talk HTTP on a shared CI machine; they assert behaviour, not speed.
jest.setTimeout(30_000);

interface Received {
  headers: http.IncomingHttpHeaders;
  update: Update;
}

interface Receiver {
  url: string;
  port: number;
  received: Received[];
  maxInFlight: number;
  close: () => Promise<void>;
}

type Reply = (update: Update, attempt: number) => { status: number; body?: unknown; delayMs?: number };

/** A webhook endpoint recording what it gets; `reply` decides the answer per delivery attempt. */
async function startReceiver(reply: Reply = () => ({ status: 200 }), port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const attempts = new Map<number, number>();
  let inFlight = 0;
  const state = { maxInFlight: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      const update = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Update;
      const attempt = (attempts.get(update.update_id) ?? 0) + 1;
      attempts.set(update.update_id, attempt);
      received.push({ headers: req.headers, update });
      const answer = reply(update, attempt);
      setTimeout(() => {
        inFlight--;
        const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
        res.writeHead(answer.status, { 'Content-Type': 'application/json' });
        res.end(body);
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actualPort}/telegram/webhook`,
    port: actualPort,
    received,
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const user = { id: 3001, first_name: 'Dave' };

describe('webhooks', () => {
  let emulator: TelegramEmulator;
  let bot: { id: number; token: string };
  const receivers: Receiver[] = [];

  const call = async <T>(
    method: string,
    params: Record<string, unknown> = {},
  ): Promise<{ status: number; body: { ok: boolean; result?: T; description?: string } }> => {
    const response = await fetch(`${emulator.url}/bot${bot.token}/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(params),
    });
    return {
      status: response.status,
      body: (await response.json()) as { ok: boolean; result?: T; description?: string },
    };
  };
  const receiver = async (reply?: Reply, port?: number): Promise<Receiver> => {
    const started = await startReceiver(reply, port);
    receivers.push(started);
    return started;
  };

  beforeEach(async () => {
    emulator = await TelegramEmulator.start({
      webhookMinBackoffMs: 10,
      webhookMaxBackoffMs: 40,
      webhookTimeoutMs: 300,
    });
    bot = emulator.createBot();
  });

  afterEach(async () => {
    await emulator.close();
    for (const started of receivers.splice(0)) await started.close();
  });

  it('POSTs updates one at a time, in order, with the secret header, and drops each after a 2xx', async () => {
    const hook = await receiver(() => ({ status: 200, delayMs: 5 }));
    const set = await call('setWebhook', { url: hook.url, secret_token: 'S3cret_token-1', max_connections: 10 });
    expect(set.body).toEqual({ ok: true, result: true, description: 'Webhook was set' });

    for (let i = 0; i < 20; i++) emulator.sendText(bot.id, { from: user, text: `update ${i}` });
    await emulator.waitForUpdatesConsumed(bot.id);

    expect(hook.received.map((entry) => entry.update.message?.text)).toEqual(
      Array.from({ length: 20 }, (_, i) => `update ${i}`),
    );
    expect(hook.maxInFlight).toBe(1);
    expect(hook.received[0].headers['x-telegram-bot-api-secret-token']).toBe('S3cret_token-1');
    expect(hook.received[0].headers['content-type']).toBe('application/json');
    const info = await call<WebhookInfo>('getWebhookInfo');
    expect(info.body.result).toEqual({
      url: hook.url,
      has_custom_certificate: false,
      pending_update_count: 0,
      max_connections: 10,
    });
  });

  it('retries non-2xx answers with backoff, reporting the error in getWebhookInfo, without losing order', async () => {
    const hook = await receiver((update, attempt) => ({
      status: update.message?.text === 'first' && attempt < 3 ? 500 : 200,
    }));
    await call('setWebhook', { url: hook.url });
    emulator.sendText(bot.id, { from: user, text: 'first' });
    emulator.sendText(bot.id, { from: user, text: 'second' });
    await emulator.waitForUpdatesConsumed(bot.id);

    expect(hook.received.map((entry) => entry.update.message?.text)).toEqual(['first', 'first', 'first', 'second']);
    const info = await call<WebhookInfo>('getWebhookInfo');
    expect(info.body.result?.last_error_message).toBe('Wrong response from the webhook: 500 Internal Server Error');
    expect(info.body.result?.last_error_date).toEqual(expect.any(Number));
    expect(emulator.getBotStats(bot.id).webhook).toMatchObject({ deliveries: 2, failures: 2 });
  });

  it('retries through connection failures and timeouts until the endpoint answers', async () => {
    const probe = await startReceiver();
    const port = probe.port;
    await probe.close();
    await call('setWebhook', { url: `http://127.0.0.1:${port}/hook` });
    emulator.sendText(bot.id, { from: user, text: 'are you there?' });

    await waitUntil(
      async () => (await call<WebhookInfo>('getWebhookInfo')).body.result?.last_error_message !== undefined,
    );
    const refused = await call<WebhookInfo>('getWebhookInfo');
    expect(refused.body.result).toMatchObject({ last_error_message: 'Connection refused', pending_update_count: 1 });

    const slowThenFine = await receiver(
      (_update, attempt) => ({ status: 200, delayMs: attempt === 1 ? 1_000 : 0 }),
      port,
    );
    await emulator.waitForUpdatesConsumed(bot.id, 5_000);
    expect(slowThenFine.received.map((entry) => entry.update.message?.text)).toEqual([
      'are you there?',
      'are you there?',
    ]);
    expect((await call<WebhookInfo>('getWebhookInfo')).body.result?.last_error_message).toBe('Read timeout expired');
  });

  it('executes a method returned in the webhook response body, as Telegram does', async () => {
    const hook = await receiver((update) => ({
      status: 200,
      body: { method: 'sendMessage', chat_id: update.message?.chat.id, text: `echo: ${update.message?.text}` },
    }));
    await call('setWebhook', { url: hook.url });
    emulator.sendText(bot.id, { from: user, text: 'ping' });
    const [reply] = await emulator.waitForMessages(bot.id, user.id, 1);
    expect(reply.text).toBe('echo: ping');
  });

  it('drops pending updates on request, deletes the webhook with an empty URL, and validates parameters', async () => {
    emulator.sendText(bot.id, { from: user, text: 'stale' });
    const hook = await receiver();
    await call('setWebhook', { url: hook.url, drop_pending_updates: true });
    emulator.sendText(bot.id, { from: user, text: 'fresh' });
    await emulator.waitForUpdatesConsumed(bot.id);
    expect(hook.received.map((entry) => entry.update.message?.text)).toEqual(['fresh']);

    expect((await call('setWebhook', { url: hook.url })).body.description).toBe('Webhook is already set');
    expect((await call('setWebhook', { url: hook.url, secret_token: 'no spaces!' })).body).toMatchObject({
      ok: false,
      description: 'Bad Request: secret token contains unallowed characters',
    });
    expect((await call('setWebhook', { url: 'ftp://example.com' })).status).toBe(400);

    expect((await call('setWebhook', { url: '' })).body).toEqual({
      ok: true,
      result: true,
      description: 'Webhook was deleted',
    });
    expect((await call<WebhookInfo>('getWebhookInfo')).body.result).toEqual({
      url: '',
      has_custom_certificate: false,
      pending_update_count: 0,
    });
    emulator.sendText(bot.id, { from: user, text: 'polled now' });
    const polled = await call<Update[]>('getUpdates');
    expect(polled.body.result?.map((update) => update.message?.text)).toEqual(['polled now']);
    expect((await call('deleteWebhook', { drop_pending_updates: true })).body.description).toBe(
      'Webhook is already deleted',
    );
    expect(emulator.getBotStats(bot.id).pendingUpdates).toBe(0);
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
