import { DataSource } from 'typeorm';
import {
  createTestEnv,
  EmulatedBot,
  platformOf,
  spawnWorker,
  TelegramEmulator,
  TestEnv,
  waitFor,
  WorkerProcess,
} from '@botfleet/testing';
import { QUICK_BOT_LEASES, textOf } from './support/bot-chat';
import { HostedTenant, PublicApi } from './support/public-api';

const USERS = 2_000;
const RU_USERS = 20;
const OWNER = 910_000_001;
/** The emulator answers 429 above this many messages per second for the bot… */
const TELEGRAM_LIMIT = 130;
/**
 * …and the budget stays under it: bucket + rate = 105 in any second. The emulator counts arrivals, the budget
 * grants on the Redis clock: a grant that reaches the emulator late (a busy CI machine stalls the worker's event
 * loop for a few hundred ms) lands in a later window, so the margin covers ~250 ms of such slip (at 120/s, 5
 * spare messages let a 40 ms stall through as one 429). Scaled up from 30/s so the test stays short.
 */
const BUDGET = { TELEGRAM_BOT_MSGS_PER_S: '100', TELEGRAM_BOT_BURST: '5', TELEGRAM_BULK_RESERVE: '3' };
/** Deliveries leased to a run at once: a kill mid-batch must not lose, or resend, the rest of the batch. */
const CLAIM_BATCH = 50;
/** Sends in flight at once: the most a kill can leave ambiguous. */
const SENDS_IN_FLIGHT = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Broadcasts end to end: the public API, a worker in its own process, the Telegram emulator with a per-bot 429
 * limit. A broadcast to 2,000 users survives a SIGKILL of the worker half-way without sending anyone twice and
 * leaving at most the sends in flight at the kill unknown; the preview reaches the admin; cancel stops one and
 * its counts add up; the next one runs after a cancelled one; the bot's send budget keeps it under the limit
 * while its customers' messages are still answered promptly.
 */
describe('broadcasts (worker process, Telegram emulator with a 429 limit)', () => {
  const emu = new TelegramEmulator();
  let env: TestEnv;
  let worker: WorkerProcess;
  let platform: DataSource;
  let api: PublicApi;
  let tg: EmulatedBot;
  let shop: HostedTenant;
  const users = Array.from({ length: USERS }, (_, i) => ({
    id: 600_000 + i,
    first_name: `U${i}`,
    language_code: i < RU_USERS ? 'ru' : 'en',
  }));

  beforeAll(async () => {
    const url = await emu.listen(0);
    env = await createTestEnv({
      TELEGRAM_API_ROOT: url,
      ...QUICK_BOT_LEASES,
      BROADCAST_LOCK_MS: '4000',
      BROADCAST_PROGRESS_EVERY_MS: '1000',
      BROADCAST_CLAIM_BATCH: String(CLAIM_BATCH),
      BROADCAST_SENDS_IN_FLIGHT: String(SENDS_IN_FLIGHT),
      ...BUDGET,
    });
    platform = await platformOf(env);
    api = await PublicApi.start(env);
    tg = emu.createBot();
    emu.setFaults(tg.id, { rateLimit: { perSecond: TELEGRAM_LIMIT, retryAfter: 1 } });
    shop = await api.registerBot(tg, { ownerTelegramId: OWNER });
    worker = await spawnWorker(env.vars);
    // The customers arrive the way they do: /start in the bot (each answered, within the budget too).
    emu.sendTexts(users.map((from) => ({ bot: tg.id, from, text: '/start' })));
    await waitFor(async () => {
      const rows = await platform.query(`SELECT count(*)::int AS n FROM users WHERE bot_id = $1`, [shop.id]);
      return rows[0].n === USERS;
    }, 90_000);
    await waitFor(async () => (await emu.waitForMessages(tg.id, users[USERS - 1].id, 1, 60_000)).length > 0, 60_000);
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    await emu.close();
    await env?.cleanup();
  });

  const path = (suffix = '') => `/v1/bots/${shop.id}/broadcasts${suffix}`;
  const get = async (id: string) => (await api.as(shop.apiToken, 'get', path(`/${id}`)).expect(200)).body;
  const countOf = async (id: string, status: string): Promise<number> =>
    (
      await platform.query(
        `SELECT count(*)::int AS n FROM broadcast_deliveries WHERE broadcast_id = $1 AND status = $2`,
        [id, status],
      )
    )[0].n;
  /** How many bot messages holding `marker` each chat got. */
  const received = (marker: string, chatIds: number[]): Map<number, number> =>
    new Map(
      chatIds.map((chatId) => [
        chatId,
        emu.getChatMessages(tg.id, chatId).filter((m) => textOf(m).includes(marker)).length,
      ]),
    );

  /** Creates a draft, waits for its preview in the owner's chat, and starts it. */
  async function previewAndStart(body: Record<string, unknown>): Promise<string> {
    const created = await api.as(shop.apiToken, 'post', path()).send(body).expect(201);
    const id: string = created.body.id;
    expect(created.body).toMatchObject({ status: 'draft', previewTelegramId: OWNER, previewedAt: null });
    await waitFor(async () => (await get(id)).previewedAt !== null, 15_000);
    return (await api.as(shop.apiToken, 'post', path(`/${id}/start`)).expect(200)).body.id;
  }

  /** A customer writes /help and waits for the answer: the milliseconds it took. */
  async function helpLatency(from: { id: number; first_name: string }): Promise<number> {
    const before = emu.getChatMessages(tg.id, from.id).length;
    const t0 = Date.now();
    emu.sendText(tg.id, { from, text: '/help' });
    await waitFor(
      () =>
        emu
          .getChatMessages(tg.id, from.id)
          .slice(before)
          .some((m) => m.direction === 'bot' && (m.text ?? '').includes('Help')),
      10_000,
      20,
    );
    return Date.now() - t0;
  }

  it('refuses to start a draft before its preview reached the admin, and a bad draft at all', async () => {
    const bad = await api
      .as(shop.apiToken, 'post', path())
      .send({ text: '<b>unclosed', audience: { segment: 'all' } })
      .expect(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const created = await api
      .as(shop.apiToken, 'post', path())
      .send({ text: 'never started', audience: { segment: 'everyone' } })
      .expect(400);
    expect(JSON.stringify(created.body.error.details)).toContain('audience');
  });

  it('sends each of 2,000 users exactly one message across a SIGKILL of the worker, under the 429 limit, answering customers meanwhile', async () => {
    const marker = 'MARK-A';
    const id = await previewAndStart({
      text: `<b>${marker}</b> new plans &amp; prices`,
      buttons: [{ text: 'Open', url: 'https://example.com/plans' }],
      audience: { segment: 'all' },
    });
    // The preview reached the owner, exactly as users will see it, with its note.
    const ownerChat = emu.getChatMessages(tg.id, OWNER);
    const preview = ownerChat.find((m) => (m.text ?? '').includes(marker));
    expect(preview?.replyMarkup).toEqual({ inline_keyboard: [[{ text: 'Open', url: 'https://example.com/plans' }]] });
    expect(ownerChat.some((m) => (m.text ?? '').includes('preview of broadcast'))).toBe(true);

    // While it runs, customers are answered promptly: the broadcast only takes what answers leave.
    await waitFor(async () => (await countOf(id, 'sent')) >= 300, 60_000, 50);
    const latencies: number[] = [];
    for (const u of users.slice(100, 106)) latencies.push(await helpLatency(u));
    expect(Math.max(...latencies)).toBeLessThan(2_000);
    const running = await get(id);
    expect(running.status).toBe('running');
    expect(running.progress.ratePerSecond).toBeGreaterThan(20);
    expect(running.progress.etaSeconds).toBeGreaterThan(0);

    // Half-way: the worker is killed; five users not reached yet block the bot meanwhile.
    await waitFor(async () => (await countOf(id, 'sent')) >= USERS / 2, 60_000, 20);
    await worker.kill();
    const sentAtKill = await countOf(id, 'sent');
    expect(sentAtKill).toBeLessThan(USERS - 100);
    const pending: { telegram_id: string }[] = await platform.query(
      `SELECT u.telegram_id FROM broadcast_deliveries d JOIN users u ON u.bot_id = d.bot_id AND u.id = d.user_id
        WHERE d.broadcast_id = $1 AND d.status = 'pending' ORDER BY u.telegram_id DESC LIMIT 5`,
      [id],
    );
    const blockers = pending.map((r) => Number(r.telegram_id));
    for (const uid of blockers) emu.blockBot(tg.id, { from: { id: uid, first_name: 'Gone' } });
    worker = await spawnWorker(env.vars);

    await waitFor(async () => (await get(id)).status === 'completed', 120_000, 200);
    const done = await get(id);
    const statuses: { telegram_id: string; status: string }[] = await platform.query(
      `SELECT u.telegram_id, d.status FROM broadcast_deliveries d JOIN users u ON u.bot_id = d.bot_id AND u.id = d.user_id
        WHERE d.broadcast_id = $1`,
      [id],
    );
    const byStatus = (s: string) => statuses.filter((r) => r.status === s).map((r) => Number(r.telegram_id));
    const got = received(
      marker,
      users.map((u) => u.id),
    );
    // Nobody twice. Every delivery marked sent arrived exactly once; the blockers got nothing and are marked.
    expect([...got.values()].every((n) => n <= 1)).toBe(true);
    for (const uid of byStatus('sent')) expect(got.get(uid)).toBe(1);
    expect(byStatus('blocked').sort()).toEqual([...blockers].sort());
    for (const uid of blockers) expect(got.get(uid)).toBe(0);
    const marked = await platform.query(
      `SELECT count(*)::int AS n FROM users WHERE bot_id = $1 AND telegram_id = ANY($2) AND bot_blocked_at IS NOT NULL`,
      [shop.id, blockers],
    );
    expect(marked[0].n).toBe(5);
    // The crash instant: only the waves around the sends in flight are unknown (never sent again, 0 or 1 each):
    // the one in flight, the next one already marked and the one whose outcomes were being written — not the
    // batch leased to the killed run: the rest of it was sent by the next one.
    const interrupted = byStatus('interrupted');
    expect(interrupted.length).toBeLessThanOrEqual(3 * SENDS_IN_FLIGHT);
    expect(statuses).toHaveLength(USERS);
    expect(byStatus('sent').length + blockers.length + interrupted.length).toBe(USERS);
    expect(done.progress).toMatchObject({
      total: USERS,
      sent: byStatus('sent').length,
      blocked: 5,
      interrupted: interrupted.length,
      failed: interrupted.length,
      skipped: 0,
      remaining: 0,
    });
    // Everyone who was not blocked got it, but for the interrupted ones, who may have.
    const missing = users.filter((u) => got.get(u.id) === 0 && !blockers.includes(u.id));
    expect(missing.every((u) => interrupted.includes(u.id))).toBe(true);
    // The budget kept the bot under Telegram's limit the whole time (the answers to 2,000 /start included).
    expect(emu.getBotStats(tg.id).status429).toBe(0);
    // The progress message in the owner's chat was edited to the end, not repeated.
    await waitFor(() => emu.getChatMessages(tg.id, OWNER).some((m) => (m.text ?? '').includes('finished')), 10_000);
    const progressMessages = emu.getChatMessages(tg.id, OWNER).filter((m) => /Broadcast #/.test(m.text ?? ''));
    expect(progressMessages).toHaveLength(1);
  }, 300_000);

  it('cancel stops a running broadcast, and the next one runs after it', async () => {
    const markerB = 'MARK-B';
    const idB = await previewAndStart({ text: `${markerB} flash sale`, audience: { segment: 'all' } });
    await waitFor(async () => (await countOf(idB, 'sent')) >= 100, 60_000, 20);
    const cancelled = (await api.as(shop.apiToken, 'post', path(`/${idB}/cancel`)).expect(200)).body;
    expect(cancelled.status).toBe('cancelled');
    // What was not sent is closed at once: nothing remains, the rest is skipped, and the counts add up.
    expect(cancelled.progress.remaining).toBe(0);
    expect(cancelled.progress.skipped).toBeGreaterThan(USERS / 2);
    expect(await countOf(idB, 'pending')).toBe(0);
    const ids = users.map((u) => u.id);
    // The sends in flight at the cancel may still go out; after that nothing more.
    await sleep(1_500);
    const settled = [...received(markerB, ids).values()].reduce((a, b) => a + b, 0);
    await sleep(1_500);
    const later = [...received(markerB, ids).values()].reduce((a, b) => a + b, 0);
    expect(later).toBe(settled);
    expect(settled).toBeLessThan(USERS / 2);
    const after = (await get(idB)).progress;
    expect(after.skipped).toBe(cancelled.progress.skipped);
    // The five who blocked the bot in the first broadcast are not in this one's audience.
    expect(after.total).toBe(USERS - 5);
    expect(after.sent + after.failed + after.blocked + after.skipped).toBe(after.total);
    // Every message that went out is counted sent, but for those in flight at the cancel whose outcome is unknown.
    expect(settled - after.sent).toBeGreaterThanOrEqual(0);
    expect(settled - after.sent).toBeLessThanOrEqual(after.interrupted);
    expect(after.interrupted).toBeLessThanOrEqual(SENDS_IN_FLIGHT);
    await api.as(shop.apiToken, 'post', path(`/${idB}/cancel`)).expect(409);
    // The history lists the same counts.
    const listedB = (await api.as(shop.apiToken, 'get', path('?page=1&pageSize=5')).expect(200)).body.items.find(
      (b: { id: string }) => b.id === idB,
    );
    expect(listedB.progress).toMatchObject({ sent: after.sent, skipped: after.skipped, remaining: 0 });

    const markerC = 'MARK-C';
    const idC = await previewAndStart({
      text: `${markerC} for Russian speakers`,
      audience: { segment: 'all', language: 'ru' },
    });
    await waitFor(async () => (await get(idC)).status === 'completed', 30_000, 100);
    const gotC = received(markerC, ids);
    expect(users.filter((u) => gotC.get(u.id) === 1).map((u) => u.id)).toEqual(
      users.slice(0, RU_USERS).map((u) => u.id),
    );
    expect([...gotC.values()].reduce((a, b) => a + b, 0)).toBe(RU_USERS);

    const history = (await api.as(shop.apiToken, 'get', path('?page=1&pageSize=2')).expect(200)).body;
    expect(history.total).toBeGreaterThanOrEqual(3);
    expect(history.items.map((b: { id: string }) => b.id)).toEqual([idC, idB]);
    expect(emu.getBotStats(tg.id).status429).toBe(0);
  }, 180_000);
});
