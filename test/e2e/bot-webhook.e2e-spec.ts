import { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { jobIdFor, JobName, QueueName } from '@botfleet/jobs';
import {
  applyEnv,
  createTestEnv,
  freePort,
  platformOf,
  spawnWorker,
  TelegramEmulator,
  TestEnv,
  testRedisUrl,
  waitFor,
  webhookSecretOf,
  WorkerProcess,
} from '@botfleet/testing';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { QUICK_BOT_LEASES, startUpdateWithId } from './support/bot-chat';

/**
 * Webhook mode (BOT_MODE=webhook) end to end: the worker sets each bot's webhook (bot id in the URL, the
 * derived secret in the header), Telegram (the emulator) posts updates to the real API, which checks the
 * secret in constant time and queues the update before answering 200; the worker answers exactly once,
 * even when it was dead when the update arrived. Switching back to polling deletes the webhook.
 */
describe('bot hosting: webhook mode', () => {
  const emu = new TelegramEmulator();
  let env: TestEnv;
  let api: INestApplication;
  let apiUrl: string;
  let restore: () => void;
  let worker: WorkerProcess;
  let platform: DataSource;
  let queue: Queue;
  let redis: Redis;
  let tg: { id: number; token: string; username: string };
  let botId: string;
  let userSeq = 20_000;
  const user = () => ({ id: ++userSeq, first_name: `W${userSeq}` });

  const post = (id: string, body: unknown, secret?: string) =>
    fetch(`${apiUrl}/telegram/webhook/${id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(secret ? { 'X-Telegram-Bot-Api-Secret-Token': secret } : {}) },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    const emuUrl = await emu.listen(0);
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    env = await createTestEnv({
      TELEGRAM_API_ROOT: emuUrl,
      BOT_MODE: 'webhook',
      PUBLIC_BASE_URL: apiUrl,
      ...QUICK_BOT_LEASES,
    });
    restore = applyEnv(env.vars);
    api = await createApiApp();
    await api.listen(apiPort, '127.0.0.1');
    platform = await platformOf(env);
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    queue = new Queue(QueueName.TelegramUpdates, { connection: redis, prefix: `${env.redisPrefix}:q` });
    worker = await spawnWorker(env.vars);
    tg = emu.createBot({ username: 'hooked_shop_bot' });
    // The bot joins as a reseller's would: an invite from the operator, then POST /v1/bots.
    const invite = await fetch(`${apiUrl}/v1/admin/invites`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${env.masterToken}` },
      body: '{}',
    });
    const { code } = (await invite.json()) as { code: string };
    const registered = await fetch(`${apiUrl}/v1/bots`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: `Shop ${tg.username}`,
        telegramBotToken: tg.token,
        ownerTelegramId: 700_001,
        inviteCode: code,
        defaultLanguage: 'en',
      }),
    });
    if (registered.status !== 201) throw new Error(`register: ${registered.status} ${await registered.text()}`);
    botId = ((await registered.json()) as { bot: { id: string } }).bot.id;
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await queue?.close();
    redis?.disconnect();
    await api?.close();
    restore?.();
    await emu.close();
    await env?.cleanup();
  });

  it('the worker sets the webhook: bot id in the URL, secret in the header, no token anywhere', async () => {
    await waitFor(async () => (await emu.getBotStats(tg.id)).webhook, 3_000);
    const hook = (await emu.getBotStats(tg.id)).webhook!;
    expect(hook.url).toBe(`${apiUrl}/telegram/webhook/${botId}`);
    expect(hook.url).not.toContain(tg.token.split(':')[1]);
    expect(hook.hasSecretToken).toBe(true);
    const from = user();
    await emu.sendText(tg.id, { from, text: '/start' });
    const [reply] = await emu.waitForMessages(tg.id, from.id, 1, 2_000);
    expect(reply.sourceText).toContain('Welcome to');
  });

  it('a wrong or missing secret is rejected and nothing is queued; an unknown bot is 404', async () => {
    const update = {
      update_id: 990_001,
      message: { message_id: 1, date: 1, chat: { id: 5, type: 'private' }, text: 'x' },
    };
    const total = async () => Object.values(await queue.getJobCounts()).reduce((a, b) => a + b, 0);
    const jobsBefore = await total();
    const wrong = await post(botId, update, 'f'.repeat(64));
    expect(wrong.status).toBe(403);
    const missing = await post(botId, update);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    const secret = await webhookSecretOf(env, botId);
    expect((await post('00000000-0000-4000-8000-000000000000', update, secret)).status).toBe(404);
    expect((await post('not-a-uuid', update, secret)).status).toBe(404);
    expect((await post(botId, { nope: 1 }, secret)).status).toBe(400);
    expect(await queue.getJob(jobIdFor(JobName.HandleTelegramUpdate, [botId, tg.id, 990_001]))).toBeUndefined();
    expect(await total()).toBe(jobsBefore);
  });

  it('the same update delivered twice gives one reply and one database effect', async () => {
    const from = user();
    const sent = await emu.sendText(tg.id, { from, text: '/help' });
    await emu.waitForMessages(tg.id, from.id, 1, 3_000);
    const seen = async () =>
      (
        await platform.query(`SELECT last_seen_at FROM users WHERE bot_id = $1 AND telegram_id = $2`, [botId, from.id])
      )[0].last_seen_at as Date;
    const before = await seen();
    // Telegram redelivers it (the queue's job id drops it) ...
    await emu.pushUpdate(tg.id, { update_id: sent.updateId, message: sent.message });
    // ... and once more after the queued job is gone, so processed_updates has to catch it. The reply goes
    // out before the job is marked done (its lock is held until then): remove it only once it is finished.
    const jobId = jobIdFor(JobName.HandleTelegramUpdate, [botId, tg.id, sent.updateId!]);
    await waitFor(async () => {
      const job = await queue.getJob(jobId);
      return !job || (await job.isCompleted()) || (await job.isFailed());
    }, 5_000);
    await (await queue.getJob(jobId))?.remove();
    const secret = await webhookSecretOf(env, botId);
    expect((await post(botId, { update_id: sent.updateId, message: sent.message }, secret)).status).toBe(200);
    await waitFor(async () => {
      const job = await queue.getJob(jobIdFor(JobName.HandleTelegramUpdate, [botId, tg.id, sent.updateId!]));
      return job && (await job.isCompleted()) ? job.returnvalue : null;
    }, 5_000);
    const job = await queue.getJob(jobIdFor(JobName.HandleTelegramUpdate, [botId, tg.id, sent.updateId!]));
    expect(job?.returnvalue).toBe('duplicate');
    await new Promise((r) => setTimeout(r, 300));
    expect(await emu.getChatMessages(tg.id, from.id)).toHaveLength(1);
    expect(await seen()).toEqual(before);
  });

  it('with two workers taking jobs, the messages of one chat are still answered in order', async () => {
    const second = await spawnWorker(env.vars);
    try {
      const kinds = ['/start', '/help', '/lang', '/help', '/start', '/lang', '/help', '/start', '/lang', '/help'];
      const kindOf = (t: string | undefined) =>
        t?.includes('Help')
          ? '/help'
          : t?.includes('Choose your language')
            ? '/lang'
            : t?.includes('Welcome')
              ? '/start'
              : '?';
      const chats = [user(), user(), user()];
      for (const cmd of kinds) for (const from of chats) await emu.sendText(tg.id, { from, text: cmd });
      for (const from of chats) {
        const replies = await emu.waitForMessages(tg.id, from.id, kinds.length, 15_000);
        expect(replies.map((m) => kindOf(m.sourceText))).toEqual(kinds);
      }
      // Both workers took part.
      const handled = async (w: WorkerProcess) => w.metric('botfleet_telegram_updates_total', { outcome: 'handled' });
      expect(await handled(second)).toBeGreaterThan(0);
      expect(await handled(worker)).toBeGreaterThan(0);
    } finally {
      await second.stop();
    }
  }, 40_000);

  it('an update accepted while the worker is dead is answered once after it restarts', async () => {
    await worker.kill();
    const from = user();
    const deliveries = (await emu.getBotStats(tg.id)).webhook!.deliveries;
    await emu.sendText(tg.id, { from, text: '/start' });
    // The API took it (200) although no worker runs.
    await waitFor(async () => (await emu.getBotStats(tg.id)).webhook!.deliveries > deliveries, 3_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(await emu.getChatMessages(tg.id, from.id)).toHaveLength(0);
    worker = await spawnWorker(env.vars);
    await emu.waitForMessages(tg.id, from.id, 1, 10_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await emu.getChatMessages(tg.id, from.id)).toHaveLength(1);
  });

  it("moved to another Telegram bot, it answers the new bot's updates whose ids the old one used", async () => {
    const from = user();
    const { updateId } = await emu.sendText(tg.id, { from, text: '/start' });
    await emu.waitForMessages(tg.id, from.id, 1, 3_000);
    const next = emu.createBot({ username: 'rehooked_shop_bot' });
    const moved = await fetch(`${apiUrl}/v1/bots/${botId}/telegram-token`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${env.masterToken}` },
      body: JSON.stringify({ telegramBotToken: next.token, allowDifferentBot: true }),
    });
    expect(moved.status).toBe(200);
    await waitFor(async () => (await emu.getBotStats(next.id)).webhook, 5_000);
    // Update ids are per Telegram bot: the new one may well send an id the old one already sent.
    const after = user();
    await emu.pushUpdate(next.id, startUpdateWithId(updateId, after));
    await emu.waitForMessages(next.id, after.id, 1, 5_000);
    tg = next;
  });

  it('switching back to polling deletes the webhook and polls', async () => {
    await worker.stop();
    worker = await spawnWorker(env.vars, { BOT_MODE: 'polling' });
    await emu.waitForPolling(tg.id, 5_000);
    expect((await emu.getBotStats(tg.id)).webhook).toBeUndefined();
    const from = user();
    await emu.sendText(tg.id, { from, text: '/start' });
    await emu.waitForMessages(tg.id, from.id, 1, 2_000);
  });
});
