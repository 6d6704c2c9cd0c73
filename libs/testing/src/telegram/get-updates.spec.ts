import type { Update } from './bot-api-types';
import { TelegramEmulator } from './telegram-emulator';

// Generous: these talk HTTP on a shared CI machine; they assert behaviour, not speed.
jest.setTimeout(30_000);

interface UpdatesAnswer {
  status: number;
  body: { ok: boolean; result?: Update[]; error_code?: number; description?: string };
}

const user = { id: 901, first_name: 'Carol' };

describe('getUpdates', () => {
  let emulator: TelegramEmulator;
  let bot: { id: number; token: string };

  const call = async (
    method: string,
    params: Record<string, unknown> = {},
    signal?: AbortSignal,
  ): Promise<UpdatesAnswer> => {
    const response = await fetch(`${emulator.url}/bot${bot.token}/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(params),
      signal,
    });
    return { status: response.status, body: (await response.json()) as UpdatesAnswer['body'] };
  };
  const getUpdates = (params: Record<string, unknown> = {}, signal?: AbortSignal): Promise<UpdatesAnswer> =>
    call('getUpdates', params, signal);
  const texts = (answer: UpdatesAnswer): Array<string | undefined> =>
    (answer.body.result ?? []).map((update) => update.message?.text);

  beforeAll(async () => {
    emulator = await TelegramEmulator.start();
  });

  afterAll(async () => {
    await emulator.close();
  });

  beforeEach(() => {
    emulator.reset();
    bot = emulator.createBot();
  });

  it('keeps updates until an offset past them confirms them, and honours limit', async () => {
    for (const text of ['a', 'b', 'c']) emulator.sendText(bot.id, { from: user, text });
    const all = await getUpdates();
    expect(texts(all)).toEqual(['a', 'b', 'c']);
    const ids = all.body.result!.map((update) => update.update_id);
    expect(ids[1]).toBe(ids[0] + 1);
    expect(ids[2]).toBe(ids[1] + 1);

    expect(texts(await getUpdates())).toEqual(['a', 'b', 'c']);
    expect(texts(await getUpdates({ offset: ids[1], limit: 1 }))).toEqual(['b']);
    expect(texts(await getUpdates({ offset: ids[2] + 1 }))).toEqual([]);
    expect(emulator.getBotStats(bot.id).pendingUpdates).toBe(0);

    emulator.sendText(bot.id, { from: user, text: 'd' });
    const next = await getUpdates({ offset: ids[2] + 1 });
    expect(next.body.result![0].update_id).toBe(ids[2] + 1);
  });

  it('forgets all but the last -offset updates for a negative offset', async () => {
    for (const text of ['a', 'b', 'c', 'd']) emulator.sendText(bot.id, { from: user, text });
    expect(texts(await getUpdates({ offset: -2 }))).toEqual(['c', 'd']);
    expect(texts(await getUpdates())).toEqual(['c', 'd']);
  });

  it('long-polls: answers as soon as an update arrives, or with nothing after the timeout', async () => {
    const started = Date.now();
    const pending = getUpdates({ timeout: 20 });
    await emulator.waitForPolling(bot.id);
    expect(emulator.getBotStats(bot.id).activePollers).toBe(1);
    expect(emulator.getStats().activePollers).toBe(1);
    emulator.sendText(bot.id, { from: user, text: 'wake up' });
    expect(texts(await pending)).toEqual(['wake up']);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(emulator.getBotStats(bot.id).activePollers).toBe(0);

    const emptyStarted = Date.now();
    const empty = await getUpdates({ timeout: 1, offset: (await getUpdates()).body.result![0].update_id + 1 });
    expect(empty.body).toEqual({ ok: true, result: [] });
    expect(Date.now() - emptyStarted).toBeGreaterThanOrEqual(950);
  });

  it('hands updates queued together to the waiting poll together', async () => {
    const pending = getUpdates({ timeout: 20 });
    await emulator.waitForPolling(bot.id);
    for (let i = 0; i < 5; i++) emulator.sendText(bot.id, { from: user, text: `m${i}` });
    expect(texts(await pending)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('terminates the older of two concurrent polls with 409 Conflict; the newer one gets the updates', async () => {
    const older = getUpdates({ timeout: 20 });
    await emulator.waitForPolling(bot.id);
    const newer = getUpdates({ timeout: 20 });
    expect(await older).toEqual({
      status: 409,
      body: {
        ok: false,
        error_code: 409,
        description:
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      },
    });
    emulator.sendText(bot.id, { from: user, text: 'for the newer one' });
    expect(texts(await newer)).toEqual(['for the newer one']);
    const stats = emulator.getBotStats(bot.id);
    expect(stats.status409).toBe(1);
    expect(stats.getUpdatesCalls).toBe(2);
    expect(emulator.getStats().status409).toBe(1);
  });

  it('does not count a poll the client abandoned as a conflict', async () => {
    const controller = new AbortController();
    const abandoned = getUpdates({ timeout: 20 }, controller.signal).catch((error: unknown) => error);
    await emulator.waitForPolling(bot.id);
    controller.abort();
    await abandoned;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(emulator.getBotStats(bot.id).activePollers).toBe(0);

    const next = getUpdates({ timeout: 20 });
    await emulator.waitForPolling(bot.id);
    emulator.sendText(bot.id, { from: user, text: 'after abort' });
    expect(texts(await next)).toEqual(['after abort']);
    expect(emulator.getBotStats(bot.id).status409).toBe(0);
  });

  it('refuses getUpdates while a webhook is set, with 409, and ends a pending poll the same way', async () => {
    const pending = getUpdates({ timeout: 20 });
    await emulator.waitForPolling(bot.id);
    expect((await call('setWebhook', { url: 'http://127.0.0.1:9/hook' })).body).toMatchObject({
      ok: true,
      result: true,
    });
    const conflict = {
      status: 409,
      body: {
        ok: false,
        error_code: 409,
        description:
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      },
    };
    expect(await pending).toEqual(conflict);
    expect(await getUpdates()).toEqual(conflict);
    expect(emulator.getBotStats(bot.id).status409).toBe(2);
    await call('deleteWebhook');
    expect((await getUpdates()).status).toBe(200);
  });

  it('applies allowed_updates to updates created afterwards, and an empty list restores the default', async () => {
    const first = await getUpdates({ allowed_updates: ['callback_query'] });
    expect(first.body.result).toEqual([]);
    expect(emulator.sendText(bot.id, { from: user, text: 'filtered out' }).updateId).toBeNull();
    const sent = await call('sendMessage', {
      chat_id: user.id,
      text: 'pick',
      reply_markup: { inline_keyboard: [[{ text: 'A', callback_data: 'a' }]] },
    });
    const messageId = (sent.body as unknown as { result: { message_id: number } }).result.message_id;
    emulator.pressButton(bot.id, { from: user, messageId, data: 'a' });
    const answer = await getUpdates();
    expect(answer.body.result).toHaveLength(1);
    expect(answer.body.result![0].callback_query?.data).toBe('a');

    // Not given: the previous setting stays.
    await getUpdates({ offset: answer.body.result![0].update_id + 1 });
    expect(emulator.sendText(bot.id, { from: user, text: 'still filtered' }).updateId).toBeNull();
    await getUpdates({ allowed_updates: [] });
    expect(emulator.sendText(bot.id, { from: user, text: 'back' }).updateId).not.toBeNull();
    // chat_member is opt-in in Telegram: not delivered by default.
    expect(emulator.pushUpdate(bot.id, { chat_member: { chat: { id: -1 } } }).updateId).toBeNull();
    expect(texts(await getUpdates())).toEqual(['back']);
  });

  it('redelivers an update pushed again with the same update_id, even past the confirmed offset', async () => {
    const { updateId } = emulator.sendText(bot.id, { from: user, text: 'pay' });
    const original = (await getUpdates()).body.result![0];
    expect(original.update_id).toBe(updateId);
    expect(await getUpdates({ offset: updateId! + 1 })).toMatchObject({ body: { result: [] } });

    expect(emulator.pushUpdate(bot.id, original as unknown as Record<string, unknown>).updateId).toBe(updateId);
    const again = await getUpdates({ offset: updateId! + 1 });
    expect(again.body.result).toEqual([original]);
    // Handed out once; the bot's next offset confirms it like any other.
    expect(await getUpdates({ offset: updateId! + 1 })).toMatchObject({ body: { result: [] } });
    await emulator.waitForUpdatesConsumed(bot.id, 100);

    // A fresh raw update continues the sequence.
    const { updateId: nextId } = emulator.pushUpdate(bot.id, {
      message: { message_id: 99, text: 'raw', chat: { id: 1 } },
    });
    expect(nextId).toBe(updateId! + 1);
  });

  it("delivers a user's formatting (entities, caption_entities) with the ones Telegram adds, and refuses bad ones", async () => {
    const bold = { type: 'bold', offset: 3, length: 4 }; // "sale", after an emoji of two UTF-16 units
    const link = { type: 'text_link', offset: 8, length: 4, url: 'https://a.example/?x=1&y=2' };
    emulator.sendText(bot.id, { from: user, text: '😀 sale here /start', entities: [link, bold] });
    emulator.sendPhoto(bot.id, {
      from: user,
      caption: 'look now',
      caption_entities: [{ type: 'italic', offset: 5, length: 3 }],
    });
    const [text, photo] = (await getUpdates()).body.result!;
    expect(text.message?.entities).toEqual([bold, link, { type: 'bot_command', offset: 13, length: 6 }]);
    expect(photo.message?.caption_entities).toEqual([{ type: 'italic', offset: 5, length: 3 }]);
    expect(() =>
      emulator.sendText(bot.id, { from: user, text: 'ab', entities: [{ type: 'bold', offset: 1, length: 2 }] }),
    ).toThrow(/not an entity of the text/);
    expect(() =>
      emulator.sendText(bot.id, { from: user, text: 'ab', entities: [{ type: 'text_link', offset: 0, length: 2 }] }),
    ).toThrow(/not an entity of the text/);
  });
});
