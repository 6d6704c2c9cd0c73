import type { Message, Update } from './bot-api-types';
import { TelegramEmulator } from './telegram-emulator';

// Generous: these talk HTTP on a shared CI machine; they assert behaviour, not speed.
jest.setTimeout(30_000);

interface Answer<T> {
  status: number;
  body: { ok: boolean; result: T; error_code?: number; description?: string };
}

const erin = { id: 4001, first_name: 'Erin', username: 'erin', language_code: 'de' };
const keyboard = (data: string) => ({ inline_keyboard: [[{ text: data.toUpperCase(), callback_data: data }]] });

describe('sending, editing and reading messages', () => {
  let emulator: TelegramEmulator;
  let bot: { id: number; token: string; username: string };

  const call = async <T = Message>(method: string, params: Record<string, unknown>): Promise<Answer<T>> => {
    const response = await fetch(`${emulator.url}/bot${bot.token}/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(params),
    });
    return { status: response.status, body: (await response.json()) as Answer<T>['body'] };
  };
  const send = (text: string, extra: Record<string, unknown> = {}): Promise<Answer<Message>> =>
    call('sendMessage', { chat_id: erin.id, text, ...extra });

  beforeAll(async () => {
    emulator = await TelegramEmulator.start({ historyPerChat: 5 });
  });

  afterAll(async () => {
    await emulator.close();
  });

  beforeEach(() => {
    emulator.reset();
    bot = emulator.createBot();
  });

  it('stores parse_mode text as Telegram renders it and keeps the source', async () => {
    const sent = await send('<b>Plan</b> &lt;30 days&gt; — <a href="https://example.com/pay">pay</a>', {
      parse_mode: 'HTML',
    });
    expect(sent.body.result).toMatchObject({
      text: 'Plan <30 days> — pay',
      entities: [
        { type: 'bold', offset: 0, length: 4 },
        { type: 'text_link', offset: 17, length: 3, url: 'https://example.com/pay' },
      ],
    });
    const [stored] = emulator.getChatMessages(bot.id, erin.id);
    expect(stored).toMatchObject({ parseMode: 'HTML', sourceText: expect.stringContaining('<b>Plan</b>') });

    const broken = await send('Price: 10.5', { parse_mode: 'MarkdownV2' });
    expect(broken).toMatchObject({
      status: 400,
      body: {
        description:
          "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
      },
    });
    const unescapedName = await send(`Hello, <${'script'}>`, { parse_mode: 'HTML' });
    expect(unescapedName.body.description).toBe(
      `Bad Request: can't parse entities: Unsupported start tag "script" at byte offset 7`,
    );
    expect((await send('x'.repeat(4097))).body.description).toBe('Bad Request: message is too long');
  });

  it('applies edits and deletes to the stored message and refuses no-op edits like Telegram', async () => {
    const { message_id } = (await send('Choose', { reply_markup: keyboard('a') })).body.result;
    const edited = await call('editMessageText', {
      chat_id: erin.id,
      message_id,
      text: 'Chosen: *A*',
      parse_mode: 'Markdown',
      reply_markup: keyboard('b'),
    });
    expect(edited.body.result).toMatchObject({ message_id, text: 'Chosen: A', edit_date: expect.any(Number) });

    const same = await call('editMessageText', {
      chat_id: erin.id,
      message_id,
      text: 'Chosen: A',
      entities: [{ type: 'bold', offset: 8, length: 1 }],
      reply_markup: keyboard('b'),
    });
    expect(same.body.description).toMatch(/^Bad Request: message is not modified/);

    await call('editMessageReplyMarkup', { chat_id: erin.id, message_id, reply_markup: keyboard('c') });
    let [stored] = emulator.getChatMessages(bot.id, erin.id);
    expect(stored).toMatchObject({ text: 'Chosen: A', replyMarkup: keyboard('c'), editCount: 2, deleted: false });
    expect(stored.message.reply_markup).toEqual(keyboard('c'));

    expect((await call('deleteMessage', { chat_id: erin.id, message_id })).body.result).toBe(true);
    [stored] = emulator.getChatMessages(bot.id, erin.id);
    expect(stored.deleted).toBe(true);
    expect(emulator.getChatMessages(bot.id, erin.id, { includeDeleted: false })).toEqual([]);
    expect((await call('deleteMessage', { chat_id: erin.id, message_id })).body.description).toBe(
      'Bad Request: message to delete not found',
    );
    expect((await call('editMessageText', { chat_id: erin.id, message_id, text: 'late' })).body.description).toBe(
      'Bad Request: message to edit not found',
    );
    const userMessage = emulator.sendText(bot.id, { from: erin, text: 'mine' });
    expect(
      (await call('editMessageText', { chat_id: erin.id, message_id: userMessage.messageId, text: 'hacked' })).body
        .description,
    ).toBe("Bad Request: message can't be edited");
  });

  it('fails sends to a user who blocked the bot with 403, after a my_chat_member update', async () => {
    emulator.sendText(bot.id, { from: erin, text: '/start' });
    const blocked = emulator.blockBot(bot.id, { from: erin });
    const updates = (await call<Update[]>('getUpdates', {})).body.result;
    const memberUpdate = updates.find((update) => update.update_id === blocked.updateId)?.my_chat_member;
    expect(memberUpdate).toMatchObject({
      chat: { id: erin.id, type: 'private' },
      from: { id: erin.id },
      old_chat_member: { status: 'member', user: { id: bot.id } },
      new_chat_member: { status: 'kicked', user: { id: bot.id } },
    });

    expect(await send('still there?')).toEqual({
      status: 403,
      body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
    });
    expect((await call('sendChatAction', { chat_id: erin.id, action: 'typing' })).status).toBe(403);
    expect(emulator.blockBot(bot.id, { from: erin }).updateId).toBeNull();

    // Writing to the bot again unblocks it, as restarting a blocked bot does.
    emulator.sendText(bot.id, { from: erin, text: '/start' });
    expect((await send('welcome back')).status).toBe(200);
  });

  it('records callback answers and enforces that a query is answered once', async () => {
    const { message_id } = (await send('Menu', { reply_markup: keyboard('plans') })).body.result;
    const press = emulator.pressButton(bot.id, { from: erin, messageId: message_id, buttonText: 'PLANS' });
    const [update] = (await call<Update[]>('getUpdates', {})).body.result;
    expect(update.callback_query).toMatchObject({
      id: press.callbackQueryId,
      from: { id: erin.id, language_code: 'de' },
      data: 'plans',
      message: { message_id, text: 'Menu', chat: { id: erin.id } },
      chat_instance: expect.any(String),
    });
    expect(() => emulator.pressButton(bot.id, { from: erin, messageId: message_id, data: 'admin' })).toThrow(
      /no button with callback_data "admin"/,
    );
    expect(emulator.pressButton(bot.id, { from: erin, messageId: message_id, data: 'admin', forged: true }).data).toBe(
      'admin',
    );

    const answer = { callback_query_id: press.callbackQueryId, text: 'Loading…', show_alert: true };
    expect((await call('answerCallbackQuery', answer)).body.result).toBe(true);
    expect((await call('answerCallbackQuery', answer)).body.description).toBe(
      'Bad Request: query is too old and response timeout expired or query ID is invalid',
    );
    expect(emulator.getCallbackAnswers(bot.id)).toEqual([
      expect.objectContaining({
        callbackQueryId: press.callbackQueryId,
        text: 'Loading…',
        showAlert: true,
        messageId: message_id,
      }),
    ]);
  });

  it('gives photos distinct file ids per size and the same file_unique_id for the same content', async () => {
    const bytes = Buffer.from('the same picture');
    const first = emulator.sendPhoto(bot.id, { from: erin, bytes, caption: 'receipt' });
    const second = emulator.sendPhoto(bot.id, { from: erin, bytes });
    const resent = emulator.sendPhoto(bot.id, { from: erin, fileId: first.fileIds[2] });
    const other = emulator.sendPhoto(bot.id, { from: erin });

    expect(new Set(first.fileIds).size).toBe(first.fileIds.length);
    expect(new Set(first.fileUniqueIds).size).toBe(first.fileUniqueIds.length);
    expect(second.fileIds).not.toEqual(first.fileIds);
    expect(second.fileUniqueIds).toEqual(first.fileUniqueIds);
    expect(resent.fileUniqueIds).toEqual(first.fileUniqueIds);
    expect(other.fileUniqueIds[2]).not.toBe(first.fileUniqueIds[2]);
    expect(first.message).toMatchObject({ caption: 'receipt', photo: [{ width: 90 }, { width: 320 }, { width: 800 }] });

    // The bot can forward the user's photo by file_id and download it.
    const forwarded = await call('sendPhoto', {
      chat_id: -100500,
      photo: first.fileIds[2],
      caption: 'Receipt from Erin',
    });
    expect(forwarded.body.result.photo?.map((size) => size.file_unique_id)).toEqual(first.fileUniqueIds);
    const file = (await call<{ file_path: string }>('getFile', { file_id: first.fileIds[2] })).body.result;
    const download = await fetch(`${emulator.url}/file/bot${bot.token}/${file.file_path}`);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);

    const byUrl = await call('sendDocument', { chat_id: erin.id, document: 'https://example.com/config.conf' });
    expect(byUrl.body.result.document).toMatchObject({ file_name: 'config.conf' });
    const bogus = await call('sendPhoto', { chat_id: erin.id, photo: 'no-such-file-id' });
    expect(bogus.body.description).toBe('Bad Request: wrong file identifier/HTTP URL specified');
  });

  it('posts to group topics, applies privacy mode to plain group messages, and threads replies', async () => {
    const adminGroup = { id: -1001234567890, title: 'Admins', is_forum: true };
    const command = emulator.sendText(bot.id, { from: erin, chat: adminGroup, messageThreadId: 7, text: '/stats' });
    expect(command.updateId).not.toBeNull();
    expect(command.message).toMatchObject({
      chat: { id: adminGroup.id, type: 'supergroup', is_forum: true },
      message_thread_id: 7,
      is_topic_message: true,
    });
    expect(emulator.sendText(bot.id, { from: erin, chat: adminGroup, text: 'chit-chat' }).updateId).toBeNull();
    expect(
      emulator.sendText(bot.id, { from: erin, chat: adminGroup, text: `hey @${bot.username}` }).updateId,
    ).not.toBeNull();

    const posted = await call('sendMessage', { chat_id: adminGroup.id, message_thread_id: 7, text: 'New receipt' });
    expect(posted.body.result).toMatchObject({ message_thread_id: 7, is_topic_message: true });
    const reply = emulator.sendText(bot.id, {
      from: erin,
      chat: adminGroup,
      text: 'approved',
      replyToMessageId: posted.body.result.message_id,
    });
    expect(reply.updateId).not.toBeNull();
    expect(reply.message.reply_to_message).toMatchObject({
      message_id: posted.body.result.message_id,
      text: 'New receipt',
    });

    const answered = await send('ok', { reply_parameters: { message_id: 999 } });
    expect(answered.body.description).toBe('Bad Request: message to be replied not found');
    const [stored] = emulator.getChatMessages(bot.id, adminGroup.id);
    expect(stored).toMatchObject({ messageThreadId: 7, text: 'New receipt' });
  });

  it('copies and forwards messages, and keeps a bounded history per chat', async () => {
    const original = (await send('<i>config</i>', { parse_mode: 'HTML' })).body.result;
    const copy = await call<{ message_id: number }>('copyMessage', {
      chat_id: -42,
      from_chat_id: erin.id,
      message_id: original.message_id,
    });
    const forward = await call('forwardMessage', {
      chat_id: -42,
      from_chat_id: erin.id,
      message_id: original.message_id,
    });
    const inGroup = emulator.getChatMessages(bot.id, -42);
    expect(inGroup.map((message) => [message.messageId, message.method, message.text])).toEqual([
      [copy.body.result.message_id, 'copyMessage', 'config'],
      [forward.body.result.message_id, 'forwardMessage', 'config'],
    ]);
    expect(forward.body.result.forward_origin).toMatchObject({ type: 'user', sender_user: { id: bot.id } });

    for (let i = 0; i < 7; i++) await send(`message ${i}`);
    const history = emulator.getChatMessages(bot.id, erin.id);
    expect(history.map((message) => message.text)).toEqual([
      'message 2',
      'message 3',
      'message 4',
      'message 5',
      'message 6',
    ]);
    expect(history[4].messageId).toBe(8);
    // waitForMessages counts every message ever sent, not only the ones still in the bounded history.
    expect(await emulator.waitForMessages(bot.id, erin.id, 8, 100)).toHaveLength(5);
  });

  it('keeps commands per scope and language, menu buttons, chat info, and validates chat actions', async () => {
    const commands = [{ command: 'start', description: 'Start' }];
    expect((await call('setMyCommands', { commands })).body.result).toBe(true);
    await call('setMyCommands', { commands: [{ command: 'plans', description: 'Tarife' }], language_code: 'de' });
    expect((await call('getMyCommands', {})).body.result).toEqual(commands);
    expect((await call('getMyCommands', { language_code: 'de' })).body.result).toEqual([
      { command: 'plans', description: 'Tarife' },
    ]);
    expect(
      (await call('setMyCommands', { commands: [{ command: 'Bad-Name', description: 'x' }] })).body.description,
    ).toBe('Bad Request: BOT_COMMAND_INVALID');
    await call('deleteMyCommands', {});
    expect((await call('getMyCommands', {})).body.result).toEqual([]);

    await call('setChatMenuButton', {
      menu_button: { type: 'web_app', text: 'Shop', web_app: { url: 'https://shop.example' } },
    });
    expect((await call('getChatMenuButton', {})).body.result).toMatchObject({ type: 'web_app', text: 'Shop' });

    emulator.sendText(bot.id, { from: erin, text: 'hi' });
    expect((await call('getChat', { chat_id: erin.id })).body.result).toMatchObject({
      id: erin.id,
      type: 'private',
      username: 'erin',
    });
    expect((await call('sendChatAction', { chat_id: erin.id, action: 'typing' })).body.result).toBe(true);
    expect((await call('sendChatAction', { chat_id: erin.id, action: 'dancing' })).status).toBe(400);

    emulator.setChatMemberStatus(bot.id, -1009, erin.id, 'left');
    expect((await call('getChatMember', { chat_id: -1009, user_id: erin.id })).body.result).toMatchObject({
      status: 'left',
    });
    emulator.setChatMemberStatus(bot.id, -1009, erin.id, 'member');
    expect((await call('getChatMember', { chat_id: -1009, user_id: erin.id })).body.result).toMatchObject({
      status: 'member',
    });
  });
});
