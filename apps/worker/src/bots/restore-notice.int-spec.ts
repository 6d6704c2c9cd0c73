import { BotSettingsService } from '@botfleet/bots';
import { Actors } from '@botfleet/common';
import { BotAdminService } from '@botfleet/operator';
import { buttonsOf, TestBot, waitFor, WorkerWorld } from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';

/** The master bot, through which the owner of a restored (paused, silent) bot hears of it. */
const MASTER_TOKEN = `7900000002:AA${'r'.repeat(33)}`;
const PUBLIC = 'https://shops.restore.test';

/**
 * The operator restores a bot its owner deleted: the owner is told once, through the master bot, that the shop is
 * back paused, with the link to its Settings page in the web console (resume it, issue a new API token). Real
 * PostgreSQL, Redis, worker and Telegram emulator.
 */
describe('restoring a deleted bot tells its owner (worker, master bot)', () => {
  jest.setTimeout(90_000);
  let world: WorkerWorld;
  let bot: TestBot;

  beforeAll(async () => {
    world = await WorkerWorld.start({ env: { MASTER_BOT_TOKEN: MASTER_TOKEN, PUBLIC_BASE_URL: PUBLIC } });
    world.telegram.createBot({ token: MASTER_TOKEN });
    bot = await world.ctx.newBot();
    await world.startWorker(createWorkerApp);
    await waitFor(
      async () => (await world.platform.query(`SELECT 1 FROM bots WHERE is_master AND status = 'active'`)).length > 0,
      15_000,
    );
  });
  afterAll(() => world?.close());

  /** What the master bot said to the bot's owner. */
  const fromMaster = () =>
    world.telegram
      .getChatMessages(MASTER_TOKEN, bot.ownerTelegramId)
      .filter((m) => m.direction === 'bot')
      .map((m) => m.text ?? '');

  it('the owner gets one notice, from the master bot, with the Settings link', async () => {
    const { ctx } = world;
    await ctx.get(BotSettingsService).delete(bot.id, Actors.tenantApi(bot.id));
    const view = await ctx.get(BotAdminService).restore(bot.id, Actors.master());
    expect(view.status).toBe('paused');

    const link = `${PUBLIC}/console/bots/${bot.id}/settings`;
    await waitFor(() => fromMaster().some((t) => t.includes(link)), 20_000);
    const [notice] = fromMaster().filter((t) => t.includes(link));
    expect(notice).toContain(`@${bot.telegram.username}`);
    expect(notice).toContain('paused');
    expect(notice).toContain('API token');

    // Once: the notice's outbox row and its direct dispatch share one job id.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(fromMaster().filter((t) => t.includes(link))).toHaveLength(1);
    // Nothing else was said by the restored bot itself: it is paused.
    expect(
      world.telegram.getChatMessages(bot.telegram.id, bot.ownerTelegramId).filter((m) => m.direction === 'bot'),
    ).toEqual([]);

    // The paused bot cannot give a sign-in link and its API token is revoked: "Open Settings" under the notice asks
    // the master bot for a one-time link to Settings, for the owner only.
    const message = world.telegram
      .getChatMessages(MASTER_TOKEN, bot.ownerTelegramId)
      .find((m) => m.direction === 'bot' && (m.text ?? '').includes(link))!;
    const open = buttonsOf(message).find((b) => b.callback_data?.startsWith('mo:s:'));
    expect(open).toBeDefined();
    const press = (from: number) =>
      world.telegram.pressButton(MASTER_TOKEN, {
        from: { id: from, first_name: 'Someone' },
        chatId: bot.ownerTelegramId,
        messageId: message.messageId,
        data: open!.callback_data!,
      });
    const stranger = await world.telegram.waitForCallbackAnswer(
      MASTER_TOKEN,
      press(bot.ownerTelegramId + 1).callbackQueryId,
      15_000,
    );
    expect(stranger.showAlert).toBe(true);
    press(bot.ownerTelegramId);
    const signIn = await waitFor(() =>
      world.telegram
        .getChatMessages(MASTER_TOKEN, bot.ownerTelegramId)
        .flatMap((m) => (m.direction === 'bot' ? buttonsOf(m) : []))
        .find((b) => b.url?.includes('/console/login#code=')),
    );
    expect(signIn.url).toMatch(new RegExp(`^${PUBLIC.replace(/\./g, '\\.')}/console/login#code=[A-Za-z0-9_-]{43}&to=`));
    expect(decodeURIComponent(signIn.url!.split('&to=')[1])).toBe(`/bots/${bot.id}/settings`);
  });
});
