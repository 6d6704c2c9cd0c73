import { DataSource } from 'typeorm';
import { ProcessedUpdatesRepository } from '@botfleet/dal';
import { buttonData, QUICK_BOT_LEASES, TelegramEmulator, TestBot, waitFor, WorkerWorld } from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';

const USED = 'This message was already made into a broadcast.';
const EXPIRED = 'This step has expired. Start again from /admin.';

/**
 * The bot's `/broadcast` flow, as the shop owner taps through it: the composed message makes one broadcast however
 * often its audience is tapped, each refusal says why, and an attempt whose transaction did not commit (the update
 * is handled again) cannot leave the message claimed with no broadcast behind. Real worker hosting the bot, real
 * PostgreSQL and Redis, Telegram emulator.
 */
describe('bot /broadcast: one broadcast per composed message (worker, emulator)', () => {
  jest.setTimeout(90_000);
  let world: WorkerWorld;
  let telegram: TelegramEmulator;
  let platform: DataSource;
  let bot: TestBot;
  let owner: { id: number; first_name: string; language_code: string };

  beforeAll(async () => {
    world = await WorkerWorld.start({
      env: { ...QUICK_BOT_LEASES, BOT_POLL_TIMEOUT_S: '1', SALE_SWEEP_INTERVAL_MS: '0', TRAFFIC_SYNC_INTERVAL_MS: '0' },
    });
    ({ telegram, platform } = world);
    bot = await world.ctx.newBot({ defaultLanguage: 'en' });
    for (let i = 0; i < 2; i++) await world.ctx.newUser(bot.id);
    owner = { id: bot.ownerTelegramId, first_name: 'Owner', language_code: 'en' };
    await world.startWorker(createWorkerApp);
    await telegram.waitForPolling(bot.telegram.id, 15_000);
  });
  afterAll(() => world?.close());

  const messages = () => telegram.getChatMessages(bot.telegram.id, owner.id).filter((m) => m.direction === 'bot');
  const broadcasts = async (): Promise<{ id: string; text: string; status: string }[]> =>
    platform.query(`SELECT id, text, status FROM broadcasts WHERE bot_id = $1 ORDER BY created_at`, [bot.id]);

  /** Presses a button on a message of the owner's chat; the answer to the tap. */
  async function press(messageId: number, data: string, forged = false) {
    const { callbackQueryId } = telegram.pressButton(bot.telegram.id, { from: owner, messageId, data, forged });
    return telegram.waitForCallbackAnswer(bot.telegram.id, callbackQueryId, 10_000);
  }

  /** `/broadcast`, New, the message typed: the audience screen (its message and the "everyone" button). */
  async function composed(text: string): Promise<{ messageId: number; all: string }> {
    const before = messages().length;
    telegram.sendText(bot.telegram.id, { from: owner, text: '/broadcast' });
    const list = await waitFor(
      () =>
        messages()
          .slice(before)
          .find((m) => !!buttonData(m, 'ad:bn')),
      15_000,
    );
    await press(list.messageId, 'ad:bn');
    await waitFor(() => messages().length > before + 1, 15_000);
    const seen = messages().length;
    telegram.sendText(bot.telegram.id, { from: owner, text });
    const screen = await waitFor(
      () =>
        messages()
          .slice(seen)
          .find((m) => !!buttonData(m, 'ad:ba:')),
      15_000,
    );
    const all =
      buttonsData(screen).find((d) => d.startsWith('ad:ba:') && d.endsWith(':a')) ?? buttonData(screen, 'ad:ba:')!;
    return { messageId: screen.messageId, all };
  }
  const buttonsData = (m: { replyMarkup?: unknown }) =>
    ((m.replyMarkup as { inline_keyboard?: { callback_data?: string }[][] })?.inline_keyboard ?? [])
      .flat()
      .map((b) => b.callback_data ?? '');

  /** The text the message `messageId` shows now (the screen a tap replaced it with). */
  const screenText = (messageId: number) => messages().find((m) => m.messageId === messageId)?.text ?? '';

  it('a double tap makes one broadcast; the second tap says so and shows that broadcast', async () => {
    const screen = await composed('DOUBLE TAP news');
    const first = await press(screen.messageId, screen.all);
    expect(first.text ?? '').toBe('');
    const second = await press(screen.messageId, screen.all);
    expect(second).toMatchObject({ text: USED, showAlert: true });
    const made = (await broadcasts()).filter((b) => b.text.includes('DOUBLE TAP'));
    expect(made).toHaveLength(1);
    expect(made[0].status).toBe('draft');
    // Both taps leave the screen on that one broadcast.
    expect(screenText(screen.messageId)).toContain(`#${made[0].id.slice(0, 8)}`);
  });

  it('refusals say why: an expired message, and a change to a broadcast that ended', async () => {
    const screen = await composed('REFUSALS news');
    // A draft this admin does not have (expired from Redis, or another admin's): nothing is made.
    const unknown = await press(screen.messageId, 'ad:ba:AAAAAAAAAAAAAAAA:a', true);
    expect(unknown).toMatchObject({ text: EXPIRED, showAlert: true });
    expect((await broadcasts()).filter((b) => b.text.includes('REFUSALS'))).toHaveLength(0);

    await press(screen.messageId, screen.all);
    const [made] = (await broadcasts()).filter((b) => b.text.includes('REFUSALS'));
    const cancel = await waitFor(
      () => buttonsData(messages().find((m) => m.messageId === screen.messageId)!).find((d) => d.startsWith('ad:bx:')),
      10_000,
    );
    expect((await press(screen.messageId, cancel)).text).toBe('⏹ Cancelled: nothing more is sent.');
    expect((await press(screen.messageId, cancel, true)).text).toBe('Nothing changed: this broadcast is cancelled.');
    expect((await broadcasts()).find((b) => b.id === made.id)?.status).toBe('cancelled');
  });

  it('an attempt that does not commit leaves the message free: its update, handled again, makes the broadcast', async () => {
    const screen = await composed('UNCOMMITTED news');
    // The first handling of the tap runs the handler and then its transaction fails at the end (a connection lost
    // at COMMIT, a process killed before it): everything it wrote rolls back and the update is handled again.
    const processed = world.worker.get(ProcessedUpdatesRepository, { strict: false });
    const real = processed.claimThen.bind(processed);
    let target: number | null = null;
    let crashed = 0;
    const spy = jest.spyOn(processed, 'claimThen').mockImplementation((botId, speaker, ids, work, along) =>
      real(
        botId,
        speaker,
        ids,
        async (claimed, rows) => {
          const out = await work(claimed, rows);
          if (target !== null && ids.includes(target) && crashed === 0) {
            crashed += 1;
            throw Object.assign(new Error('connection lost at COMMIT'), { code: 'ECONNRESET' });
          }
          return out;
        },
        along,
      ),
    );
    try {
      const tap = telegram.pressButton(bot.telegram.id, { from: owner, messageId: screen.messageId, data: screen.all });
      target = tap.updateId;
      const answer = await telegram.waitForCallbackAnswer(bot.telegram.id, tap.callbackQueryId, 15_000);
      expect(crashed).toBe(1);
      // Not "already made" with nothing made: the retried update creates the broadcast and shows it.
      expect(answer.text ?? '').toBe('');
      const made = (await broadcasts()).filter((b) => b.text.includes('UNCOMMITTED'));
      expect(made).toHaveLength(1);
      await waitFor(() => screenText(screen.messageId).includes(`#${made[0].id.slice(0, 8)}`), 10_000);
    } finally {
      spy.mockRestore();
    }
  });
});
