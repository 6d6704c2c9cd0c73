import { DataSource } from 'typeorm';
import {
  createTestEnv,
  platformOf,
  spawnWorker,
  TelegramEmulator,
  TestEnv,
  waitFor,
  WorkerProcess,
} from '@botfleet/testing';
import { QUICK_BOT_LEASES } from './support/bot-chat';
import { PublicApi } from './support/public-api';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polling mode, exactly once and in order (RELIABILITY.md 3, 11, 12): a redelivered update is skipped
 * with no second reply or database effect; a chat's messages are answered in the order sent while chats
 * run side by side; a 429 storm delays replies but loses and doubles none; a worker killed mid-work
 * loses no update and answers none twice.
 */
describe('bot hosting: exactly once, in order (polling)', () => {
  const emu = new TelegramEmulator();
  let env: TestEnv;
  let worker: WorkerProcess;
  let platform: DataSource;
  let api: PublicApi;
  let userSeq = 30_000;
  const user = () => ({ id: ++userSeq, first_name: `P${userSeq}`, language_code: 'en' });

  /** Answers by command, to see the order: /start → menu, /help → help, /lang → language picker. */
  const kindOf = (text: string | undefined) =>
    text?.includes('Help')
      ? 'help'
      : text?.includes('Choose your language')
        ? 'lang'
        : text?.includes('Welcome')
          ? 'start'
          : '?';

  beforeAll(async () => {
    const url = await emu.listen(0);
    env = await createTestEnv({
      TELEGRAM_API_ROOT: url,
      ...QUICK_BOT_LEASES,
    });
    platform = await platformOf(env);
    api = await PublicApi.start(env);
    worker = await spawnWorker(env.vars);
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    await emu.close();
    await env?.cleanup();
  });

  it('a redelivered update gives no second reply and no second database effect', async () => {
    const tg = emu.createBot();
    const { id: botId } = await api.registerBot(tg);
    const from = user();
    const sent = await emu.sendText(tg.id, { from, text: '/help' });
    await emu.waitForMessages(tg.id, from.id, 1, 3_000);
    const seen = async () =>
      (
        await platform.query(`SELECT last_seen_at FROM users WHERE bot_id = $1 AND telegram_id = $2`, [botId, from.id])
      )[0].last_seen_at as Date;
    const before = await seen();
    const duplicates = await worker.metric('botfleet_telegram_updates_total', { outcome: 'duplicate' });
    await emu.pushUpdate(tg.id, { update_id: sent.updateId, message: sent.message });
    // It was delivered again and recognised as a duplicate...
    await waitFor(
      async () => (await worker.metric('botfleet_telegram_updates_total', { outcome: 'duplicate' })) > duplicates,
      3_000,
    );
    // ... so nothing was said and nothing written.
    await sleep(200);
    expect(await emu.getChatMessages(tg.id, from.id)).toHaveLength(1);
    expect(await seen()).toEqual(before);
    const rows = await platform.query(
      `SELECT count(*)::int AS n FROM processed_updates WHERE bot_id = $1 AND update_id = $2`,
      [botId, sent.updateId],
    );
    expect(rows[0].n).toBe(1);
  });

  it('messages of one chat sent fast in a row are answered in order; chats run side by side', async () => {
    const tg = emu.createBot();
    await api.registerBot(tg);
    await emu.waitForPolling(tg.id, 3_000);
    const commands = [
      '/start',
      '/help',
      '/lang',
      '/help',
      '/start',
      '/lang',
      '/lang',
      '/help',
      '/start',
      '/help',
      '/lang',
      '/start',
    ];
    const chats = [user(), user(), user(), user()];
    // All queued at Telegram before the bot sees any: the worker gets them in batches.
    for (const cmd of commands) for (const from of chats) await emu.sendText(tg.id, { from, text: cmd });
    for (const from of chats) {
      const replies = await emu.waitForMessages(tg.id, from.id, commands.length, 10_000);
      expect(replies.map((m) => kindOf(m.sourceText))).toEqual(commands.map((c) => c.slice(1)));
    }
  });

  it('a 429 storm delays replies but none is lost and none doubled', async () => {
    const tg = emu.createBot();
    await api.registerBot(tg);
    await emu.waitForPolling(tg.id, 3_000);
    emu.setFaults(tg.id, { rateLimit: { perSecond: 4, retryAfter: 1 } });
    const users = Array.from({ length: 24 }, user);
    for (const from of users) await emu.sendText(tg.id, { from, text: '/start' });
    for (const from of users) await emu.waitForMessages(tg.id, from.id, 1, 20_000);
    expect((await emu.getBotStats(tg.id)).status429).toBeGreaterThan(0);
    await sleep(1_500);
    for (const from of users) expect(await emu.getChatMessages(tg.id, from.id)).toHaveLength(1);
    emu.clearFaults(tg.id);
  }, 40_000);

  it('a worker killed mid-work loses no update and answers none twice', async () => {
    const tg = emu.createBot();
    const { id: botId } = await api.registerBot(tg);
    await emu.waitForPolling(tg.id, 3_000);
    // Slow sends keep updates in flight (committed, answer not yet through) when the worker dies.
    emu.setFaults(tg.id, { delay: { ms: 1_500, methods: ['sendMessage'] } });
    const first = Array.from({ length: 6 }, user);
    for (const from of first) await emu.sendText(tg.id, { from, text: '/start' });
    await waitFor(
      async () =>
        (await platform.query(`SELECT count(*)::int AS n FROM processed_updates WHERE bot_id = $1`, [botId]))[0].n >= 3,
      5_000,
      20,
    );
    await worker.kill();
    emu.clearFaults(tg.id);
    // Updates that arrive while no worker runs wait at Telegram.
    const second = Array.from({ length: 4 }, user);
    for (const from of second) await emu.sendText(tg.id, { from, text: '/help' });
    worker = await spawnWorker(env.vars);
    for (const from of second) await emu.waitForMessages(tg.id, from.id, 1, 10_000);
    await sleep(1_500);
    const processed = await platform.query(`SELECT count(*)::int AS n FROM processed_updates WHERE bot_id = $1`, [
      botId,
    ]);
    expect(processed[0].n).toBe(first.length + second.length);
    const users = await platform.query(`SELECT count(*)::int AS n FROM users WHERE bot_id = $1`, [botId]);
    expect(users[0].n).toBe(first.length + second.length);
    for (const from of [...first, ...second]) {
      expect((await emu.getChatMessages(tg.id, from.id)).length).toBeLessThanOrEqual(1);
    }
    for (const from of second) expect(await emu.getChatMessages(tg.id, from.id)).toHaveLength(1);
  }, 40_000);

  it('a user who blocked the bot is marked (my_chat_member, and a 403 on a send), and unmarked when back', async () => {
    const tg = emu.createBot();
    const { id: botId } = await api.registerBot(tg);
    const from = user();
    await emu.sendText(tg.id, { from, text: '/start' });
    await emu.waitForMessages(tg.id, from.id, 1, 3_000);
    const blockedAt = async () =>
      (
        await platform.query(`SELECT bot_blocked_at FROM users WHERE bot_id = $1 AND telegram_id = $2`, [
          botId,
          from.id,
        ])
      )[0].bot_blocked_at as Date | null;
    // The block itself arrives as my_chat_member (kicked); then an update from that user is answered with
    // a send Telegram refuses (403): the message that cleared the mark is followed by the 403 that sets it again.
    emu.blockBot(tg.id, { from });
    await waitFor(async () => (await blockedAt()) !== null, 3_000);
    const dup = await emu.sendText(tg.id, { from, text: '/help' }); // a user message unblocks in the emulator ...
    await emu.waitForMessages(tg.id, from.id, 2, 3_000);
    expect(await blockedAt()).toBeNull(); // ... and our touch clears the mark
    emu.blockBot(tg.id, { from });
    await waitFor(async () => (await blockedAt()) !== null, 3_000);
    const marked = (await blockedAt())!;
    await platform.query(`UPDATE users SET bot_blocked_at = NULL WHERE bot_id = $1 AND telegram_id = $2`, [
      botId,
      from.id,
    ]);
    // A (forged) update from the blocked user: the answer fails with 403 and the user is marked again.
    await emu.pushUpdate(tg.id, {
      message: { ...dup.message, message_id: dup.message.message_id + 100, text: '/start' },
    });
    await waitFor(async () => (await blockedAt()) !== null, 3_000);
    expect((await blockedAt())!.getTime()).toBeGreaterThanOrEqual(marked.getTime());
    expect(await emu.getChatMessages(tg.id, from.id)).toHaveLength(2);
    emu.unblockBot(tg.id, { from });
    await waitFor(async () => (await blockedAt()) === null, 3_000);
  });
});
