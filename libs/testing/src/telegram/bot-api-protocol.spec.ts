import { ControlError } from './emulator-core';
import { TelegramEmulator } from './telegram-emulator';

// Generous: these talk HTTP on a shared CI machine; they assert behaviour, not speed.
jest.setTimeout(30_000);

interface ApiAnswer {
  status: number;
  body: { ok: boolean; result?: unknown; error_code?: number; description?: string; parameters?: unknown };
}

async function request(url: string, init?: RequestInit): Promise<ApiAnswer> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as ApiAnswer['body'] };
}

const json = (params: Record<string, unknown>): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(params),
});

const user = { id: 501, first_name: 'Bob', username: 'bob' };

describe('Bot API protocol', () => {
  let emulator: TelegramEmulator;
  let bot: { id: number; token: string; username: string };
  let api: (method: string, init?: RequestInit) => Promise<ApiAnswer>;

  beforeAll(async () => {
    emulator = await TelegramEmulator.start();
  });

  afterAll(async () => {
    await emulator.close();
  });

  beforeEach(() => {
    emulator.reset();
    bot = emulator.createBot();
    api = (method, init) => request(`${emulator.url}/bot${bot.token}/${method}`, init);
  });

  it('answers getMe with a distinct bot per token', async () => {
    const other = emulator.createBot({ username: 'other_shop_bot', firstName: 'Other Shop' });
    const mine = await api('getMe');
    const theirs = await request(`${emulator.url}/bot${other.token}/getMe`);
    expect(mine).toEqual({
      status: 200,
      body: {
        ok: true,
        result: expect.objectContaining({ id: bot.id, is_bot: true, username: bot.username, can_join_groups: true }),
      },
    });
    expect(theirs.body.result).toMatchObject({ id: other.id, first_name: 'Other Shop', username: 'other_shop_bot' });
    expect(bot.token).toMatch(/^\d+:[A-Za-z0-9_-]{35}$/);
    expect(bot.token.startsWith(`${bot.id}:`)).toBe(true);
  });

  it('answers 401 Unauthorized for unknown and revoked tokens, and works again once restored', async () => {
    const unknown = await request(`${emulator.url}/bot123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/getMe`);
    expect(unknown).toEqual({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });

    emulator.revokeToken(bot.id);
    expect((await api('getMe')).status).toBe(401);
    expect((await api('sendMessage', json({ chat_id: user.id, text: 'x' }))).status).toBe(401);
    emulator.restoreToken(bot.token);
    expect((await api('getMe')).status).toBe(200);
    expect(emulator.getBotStats(bot.id).errors['401']).toBe(2);
  });

  it('ends a pending long poll with 401 when the token is revoked', async () => {
    const poll = api('getUpdates', json({ timeout: 30 }));
    await emulator.waitForPolling(bot.id);
    emulator.revokeToken(bot.id);
    expect(await poll).toEqual({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
  });

  it('answers 404 Not Found for unknown methods and paths, and matches method names case-insensitively', async () => {
    expect(await api('sendTelepathy')).toEqual({
      status: 404,
      body: { ok: false, error_code: 404, description: 'Not Found' },
    });
    expect((await request(`${emulator.url}/bot${bot.token}`)).status).toBe(404);
    expect((await request(`${emulator.url}/somewhere`)).status).toBe(404);
    expect((await api('GETME')).body.result).toMatchObject({ id: bot.id });
    expect(emulator.getBotStats(bot.id).calls).toMatchObject({ sendTelepathy: 1, getMe: 1 });
  });

  it('accepts parameters as JSON, form, query string and multipart (with JSON-encoded nested objects)', async () => {
    const markup = { inline_keyboard: [[{ text: 'Go', callback_data: 'go' }]] };
    await api('sendMessage', json({ chat_id: user.id, text: 'from json', reply_markup: markup }));
    await api('sendMessage', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ chat_id: String(user.id), text: 'from form', reply_markup: JSON.stringify(markup) }),
    });
    await api(`sendMessage?chat_id=${user.id}&text=${encodeURIComponent('from query')}`);
    const form = new FormData();
    form.set('chat_id', String(user.id));
    form.set('text', 'from multipart');
    form.set('reply_markup', JSON.stringify(markup));
    const multipart = await api('sendMessage', { method: 'POST', body: form });
    expect(multipart.status).toBe(200);

    const messages = emulator.getChatMessages(bot.id, user.id);
    expect(messages.map((message) => message.text)).toEqual(['from json', 'from form', 'from query', 'from multipart']);
    expect(messages.map((message) => message.messageId)).toEqual([1, 2, 3, 4]);
    expect(messages[0].replyMarkup).toEqual(markup);
    expect(messages[1].replyMarkup).toEqual(markup);
    expect(messages[3].replyMarkup).toEqual(markup);
    expect(messages[2].replyMarkup).toBeUndefined();
  });

  it('answers errors with the HTTP status equal to error_code', async () => {
    const missingChat = await api('sendMessage', json({ text: 'hello' }));
    expect(missingChat).toEqual({
      status: 400,
      body: { ok: false, error_code: 400, description: 'Bad Request: chat_id is empty' },
    });
    const emptyText = await api('sendMessage', json({ chat_id: user.id, text: '   ' }));
    expect(emptyText.body.description).toBe('Bad Request: message text is empty');
    const badJson = await api('sendMessage', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{',
    });
    expect(badJson.status).toBe(400);
    const badMarkup = await api(
      'sendMessage',
      json({
        chat_id: user.id,
        text: 'x',
        reply_markup: { inline_keyboard: [[{ text: 'x', callback_data: 'y'.repeat(65) }]] },
      }),
    );
    expect(badMarkup.body).toEqual({ ok: false, error_code: 400, description: 'Bad Request: BUTTON_DATA_INVALID' });
    expect(emulator.getBotStats(bot.id).errors['400']).toBe(4);
  });

  it('numbers messages per chat, user and bot messages sharing the sequence', async () => {
    emulator.sendText(bot.id, { from: user, text: 'hi' });
    const first = await api('sendMessage', json({ chat_id: user.id, text: 'one' }));
    const otherChat = await api('sendMessage', json({ chat_id: 777, text: 'elsewhere' }));
    const second = await api('sendMessage', json({ chat_id: user.id, text: 'two' }));
    expect(first.body.result).toMatchObject({
      message_id: 2,
      chat: { id: user.id, type: 'private', first_name: 'Bob' },
    });
    expect(second.body.result).toMatchObject({ message_id: 3, from: { id: bot.id, is_bot: true } });
    expect(otherChat.body.result).toMatchObject({ message_id: 1, chat: { id: 777, type: 'private' } });
    expect(emulator.getChatMessages(bot.id, user.id, { includeUser: true }).map((m) => m.direction)).toEqual([
      'user',
      'bot',
      'bot',
    ]);
  });

  it('rejects unknown chats when configured like Telegram for users who never started the bot', async () => {
    const strict = await TelegramEmulator.start({ unknownChats: 'reject' });
    try {
      const { token } = strict.createBot();
      const send = (chatId: number): Promise<ApiAnswer> =>
        request(`${strict.url}/bot${token}/sendMessage`, json({ chat_id: chatId, text: 'hello' }));
      expect((await send(42)).body.description).toBe("Forbidden: bot can't initiate conversation with a user");
      expect((await send(-100123)).body.description).toBe('Bad Request: chat not found');
    } finally {
      await strict.close();
    }
  });

  it('validates and keeps explicit tokens; the bot id is the token prefix', () => {
    const token = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1';
    expect(emulator.createBot({ token })).toEqual({ id: 123456789, token, username: 'test_123456789_bot' });
    expect(emulator.createBot({ token }).id).toBe(123456789);
    expect(() => emulator.createBot({ token: 'not-a-token' })).toThrow(ControlError);
    expect(() => emulator.createBot({ token: '123456789:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1' })).toThrow(
      /already registered/,
    );
  });

  it('serves downloads only to the bot owning the file', async () => {
    const form = new FormData();
    form.set('chat_id', String(user.id));
    form.set('document', new Blob([Buffer.from('%PDF-1.4 receipt')], { type: 'application/pdf' }), 'receipt.pdf');
    const sent = await api('sendDocument', { method: 'POST', body: form });
    expect(sent.status).toBe(200);
    const document = (sent.body.result as { document: { file_id: string; file_name: string; mime_type: string } })
      .document;
    expect(document).toMatchObject({ file_name: 'receipt.pdf', mime_type: 'application/pdf' });
    const file = (await api('getFile', json({ file_id: document.file_id }))).body.result as { file_path: string };

    const download = await fetch(`${emulator.url}/file/bot${bot.token}/${file.file_path}`);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('%PDF-1.4 receipt');

    const other = emulator.createBot();
    expect((await fetch(`${emulator.url}/file/bot${other.token}/${file.file_path}`)).status).toBe(404);
    const foreign = await request(`${emulator.url}/bot${other.token}/getFile`, json({ file_id: document.file_id }));
    expect(foreign.body.description).toBe('Bad Request: wrong file identifier/HTTP URL specified');
    expect((await fetch(`${emulator.url}/file/botnope/${file.file_path}`)).status).toBe(401);
  });
});
