import { waitFor } from '@botfleet/testing';
import { BotChat, buttonsOf, ChatMessage, has, textOf, withButton } from './support/bot-chat';
import { hostedShop } from './support/hosted-shop';

type Person = { id: number; first_name: string; language_code: string };
const OWNER: Person = { id: 940_001, first_name: 'Owner', language_code: 'en' };
const ADMIN: Person = { id: 940_002, first_name: 'Admin', language_code: 'en' };
const SUPPORT: Person = { id: 940_003, first_name: 'Agent', language_code: 'en' };
const CUSTOMERS: Person[] = Array.from({ length: 8 }, (_, i) => ({
  id: 940_100 + i,
  first_name: `Customer${i}`,
  language_code: 'en',
}));

type BroadcastBody = {
  id: string;
  status: string;
  previewedAt: string | null;
  progress: { total: number; sent: number; skipped: number };
};

/**
 * Broadcasts from the shop's own bot (`/broadcast`), end to end: a worker hosts the bot against the Telegram
 * emulator and sends the preview and the broadcast; the admin composes, chooses the audience, waits for the
 * preview and starts; customers receive it once. A support agent has no way in; Cancel stops a running one.
 */
describe('running the shop from Telegram: /broadcast', () => {
  jest.setTimeout(180_000);
  const shop = hostedShop({
    env: { BROADCAST_SENDS_IN_FLIGHT: '2', BROADCAST_PROGRESS_EVERY_MS: '1000' },
    join: { name: 'Broadcast Shop', ownerTelegramId: OWNER.id },
    arrange: async () => {
      await shop.setAdmins([
        { telegramId: ADMIN.id, role: 'admin' },
        { telegramId: SUPPORT.id, role: 'support' },
      ]);
    },
  });
  let admin: BotChat;
  let agent: BotChat;
  let customers: BotChat[];
  const labels = (m: ChatMessage) => buttonsOf(m).map((b) => b.text);
  /** A label without the Unicode isolates that keep a right-to-left name apart in a left-to-right screen. */
  const unisolated = (label: string) => label.replace(/[\u2066-\u2069]/g, '');
  const latest = async (): Promise<BroadcastBody> => {
    const body = (await shop.api('get', `/v1/bots/${shop.botId}/broadcasts`).expect(200)).body;
    const items: { id: string }[] = Array.isArray(body) ? body : body.items;
    return (await shop.api('get', `/v1/bots/${shop.botId}/broadcasts/${items[0].id}`).expect(200)).body;
  };
  /** How many bot messages holding `marker` each customer got. */
  const received = (marker: string): number[] =>
    CUSTOMERS.map((c) => shop.emu.getChatMessages(shop.tg.id, c.id).filter((m) => textOf(m).includes(marker)).length);
  const reachable = async (): Promise<number> =>
    (await shop.q(`SELECT count(*)::int AS n FROM users WHERE bot_id = $1 AND bot_blocked_at IS NULL`, [shop.botId]))[0]
      .n;

  /** /broadcast → New → the prompt; returns the list screen. */
  async function newBroadcast(): Promise<ChatMessage> {
    const list = await admin.send('/broadcast', has('Broadcasts'));
    await admin.tap(list, 'ad:bn');
    await admin.message(has('Send the message to broadcast'));
    return list;
  }

  beforeAll(async () => {
    admin = new BotChat(shop.emu, shop.tg, ADMIN);
    agent = new BotChat(shop.emu, shop.tg, SUPPORT);
    customers = CUSTOMERS.map((c) => new BotChat(shop.emu, shop.tg, c));
    for (const c of customers) await c.send('/start', withButton('menu:'));
  });

  it('a support agent has no broadcast button, command or tap', async () => {
    const home = await agent.send('/admin', has('Shop admin'));
    expect(labels(home).some((l) => l.includes('Broadcasts'))).toBe(false);
    await agent.send('/broadcast', has('Your role does not allow this.'));
    for (const forged of ['ad:b', 'ad:bn']) {
      expect((await agent.tap(home, forged, { forged: true })).text).toBe('Your role does not allow this.');
    }
    const help = await agent.send('/help', has('Admin commands'));
    expect(textOf(help)).not.toContain('/broadcast');
    expect((await shop.api('get', `/v1/bots/${shop.botId}/broadcasts`).expect(200)).body.total ?? 0).toBe(0);
  });

  it('an admin composes a text, chooses the audience, starts once the preview arrived; each customer gets it once', async () => {
    const home = await admin.send('/admin', has('Shop admin'));
    expect(labels(home)).toContain('📣 Broadcasts');
    expect(textOf(await admin.send('/help', has('Admin commands')))).toContain('/broadcast');
    await newBroadcast();
    // The domain's check, said clearly; the step keeps waiting for a corrected message.
    const bad = await admin.send('<b>unclosed', has('cannot be broadcast'));
    expect(textOf(bad)).toContain('text:');
    const audience = await admin.send('<b>MARK-T</b> new plans &amp; prices', has('Who gets it?'));
    const everyone = await reachable();
    expect(labels(audience)).toEqual([
      `everyone · ${everyone}`,
      'with an active subscription · 0',
      'whose subscription ended · 0',
      `who never bought · ${everyone}`,
      '🌐 By language',
      '✖️ Cancel',
    ]);
    // The preview is held back by Telegram for a while: Start is refused until it arrived.
    shop.emu.setFaults(shop.tg.id, { delay: { ms: 6_000, methods: ['sendMessage'] } });
    await admin.tap(audience, 'ad:ba:');
    const draft = await admin.edited(audience.messageId, has('The preview is on its way'));
    expect(textOf(draft)).toContain(`to ${everyone} customers (everyone)`);
    const early = await admin.tap(draft, 'ad:bs:');
    expect(early.text).toBe('Not yet: the preview has not reached you. Start once it has arrived.');
    expect((await latest()).status).toBe('draft');
    // A second tap of the audience creates nothing more.
    expect((await admin.tap(audience, admin.data(audience, 'ad:ba:'), { forged: true })).text).toBe(
      'This message was already made into a broadcast.',
    );
    shop.emu.setFaults(shop.tg.id, {});
    const preview = await admin.message((m) => textOf(m).includes('MARK-T') && m.method === 'sendMessage', 20_000);
    expect(preview.text).toBe('MARK-T new plans & prices');
    await admin.message(has('preview of broadcast'));
    await waitFor(async () => (await latest()).previewedAt !== null, 15_000);
    const start = admin.data(draft, 'ad:bs:');
    expect((await admin.tap(draft, start)).text).toBe('▶️ Sending started.');
    // A second tap of Start changes nothing.
    expect((await admin.tap(draft, start, { forged: true })).text).toMatch(/^Nothing changed: this broadcast is/);
    await waitFor(async () => (await latest()).status === 'completed', 60_000);
    expect((await latest()).progress).toMatchObject({ total: everyone, sent: everyone });
    expect(received('MARK-T')).toEqual(CUSTOMERS.map(() => 1));
    const list = await admin.send('/broadcast', has('Broadcasts'));
    expect(textOf(list)).toContain(`finished · ${everyone} of ${everyone} sent`);
  });

  it('a photo with a caption is broadcast as that photo', async () => {
    await newBroadcast();
    const sent = admin.sendPhoto({ caption: 'PHOTO-MARK <i>look</i>' });
    const audience = await admin.message(has('Who gets it?'));
    await admin.tap(audience, 'ad:ba:');
    const draft = await admin.edited(audience.messageId, has('Broadcast #'));
    const preview = await admin.message((m) => m.method === 'sendPhoto' && textOf(m).includes('PHOTO-MARK'), 20_000);
    expect(preview.caption).toBe('PHOTO-MARK look');
    await waitFor(async () => (await latest()).previewedAt !== null, 15_000);
    expect((await admin.tap(draft, 'ad:bs:')).text).toBe('▶️ Sending started.');
    await waitFor(async () => (await latest()).status === 'completed', 60_000);
    expect(received('PHOTO-MARK')).toEqual(CUSTOMERS.map(() => 1));
    const got = shop.emu.getChatMessages(shop.tg.id, CUSTOMERS[0].id).find((m) => textOf(m).includes('PHOTO-MARK'))!;
    expect(got.method).toBe('sendPhoto');
    // The very photo the admin sent (its file_id is the broadcast's photo).
    expect(got.photo?.at(-1)?.file_unique_id).toBe(sent.fileUniqueIds.at(-1));
  });

  it("formatting made with Telegram's tools (bold, a text link) reaches customers formatted", async () => {
    await newBroadcast();
    // Plain text plus entities, as a Telegram app sends it; the emoji counts two UTF-16 units, "<" is just text.
    const text = '🎉 FMT-MARK deals < 50% here';
    const bold = { type: 'bold', offset: text.indexOf('FMT-MARK'), length: 'FMT-MARK'.length };
    const link = { type: 'text_link', offset: text.indexOf('here'), length: 4, url: 'https://shop.example/?a=1&b=2' };
    const after = admin.lastId();
    shop.emu.sendText(shop.tg.id, { from: ADMIN, text, entities: [bold, link] });
    const audience = await admin.next(after, has('Who gets it?'));
    await admin.tap(audience, 'ad:ba:');
    const draft = await admin.edited(audience.messageId, has('Broadcast #'));
    await waitFor(async () => (await latest()).previewedAt !== null, 20_000);
    expect((await admin.tap(draft, 'ad:bs:')).text).toBe('▶️ Sending started.');
    await waitFor(async () => (await latest()).status === 'completed', 60_000);
    expect(received('FMT-MARK')).toEqual(CUSTOMERS.map(() => 1));
    const got = shop.emu.getChatMessages(shop.tg.id, CUSTOMERS[0].id).find((m) => textOf(m).includes('FMT-MARK'))!;
    expect(got.parseMode).toBe('HTML');
    expect(got.sourceText).toBe(
      '🎉 <b>FMT-MARK</b> deals &lt; 50% <a href="https://shop.example/?a=1&amp;b=2">here</a>',
    );
    // What the customer's app shows: the same text, bold and the link where the admin put them.
    expect(got.text).toBe(text);
    expect(got.entities).toEqual([bold, link]);
  });

  it("by language: the shop's languages with their sizes; only customers speaking the one chosen get it", async () => {
    const sara = new BotChat(shop.emu, shop.tg, { id: 940_200, first_name: 'Sara', language_code: 'fa' });
    await sara.send('/start', withButton('menu:'));
    await newBroadcast();
    const audience = await admin.send('LANG-MARK <b>تخفیف</b>', has('Who gets it?'));
    await admin.tap(audience, 'ad:bl:');
    const languages = await admin.edited(audience.messageId, has('Customers speaking which language'));
    const everyone = await reachable();
    // Sizes as the API counts them: a customer without a language of their own speaks the shop's default (en).
    // In the shop's order of languages, each named in itself (bidi-isolated in an English screen).
    expect(labels(languages).map(unisolated)).toEqual([
      'فارسی · 1',
      `English · ${everyone - 1}`,
      'Русский · 0',
      '↩️ Back',
      '✖️ Cancel',
    ]);
    // Back to the segments and again: the message still waits for its audience.
    await admin.tap(languages, 'ad:bA:');
    const segments = await admin.edited(audience.messageId, (m) => labels(m).includes('🌐 By language'));
    await admin.tap(segments, 'ad:bl:');
    const again = await admin.edited(audience.messageId, (m) => labels(m).map(unisolated).includes('فارسی · 1'));
    await admin.tap(again, buttonsOf(again).find((b) => unisolated(b.text).startsWith('فارسی'))!.callback_data!);
    const draft = await admin.edited(audience.messageId, has('Broadcast #'));
    expect(textOf(draft)).toContain('to 1 customers (everyone, language fa)');
    await waitFor(async () => (await latest()).previewedAt !== null, 20_000);
    expect((await admin.tap(draft, 'ad:bs:')).text).toBe('▶️ Sending started.');
    await waitFor(async () => (await latest()).status === 'completed', 60_000);
    expect((await latest()).progress).toMatchObject({ total: 1, sent: 1 });
    expect(received('LANG-MARK')).toEqual(CUSTOMERS.map(() => 0));
    expect(sara.messages().filter((m) => textOf(m).includes('LANG-MARK'))).toHaveLength(1);
  });

  it('Cancel in the list stops a running broadcast: the rest is never sent', async () => {
    await newBroadcast();
    const audience = await admin.send('SLOW-MARK news', has('Who gets it?'));
    await admin.tap(audience, 'ad:ba:');
    const draft = await admin.edited(audience.messageId, has('Broadcast #'));
    await waitFor(async () => (await latest()).previewedAt !== null, 20_000);
    // Telegram answers slowly now: the broadcast takes a while.
    shop.emu.setFaults(shop.tg.id, { delay: { ms: 3_000, methods: ['sendMessage'] } });
    expect((await admin.tap(draft, 'ad:bs:')).text).toBe('▶️ Sending started.');
    const live = await admin.edited(draft.messageId, has('sending'));
    await admin.tap(live, 'ad:b');
    const list = await admin.edited(draft.messageId, has('Broadcasts, newest first'));
    expect(textOf(list)).toMatch(/sending · \d+ of \d+ sent/);
    const cancel = admin.data(list, 'ad:bx:');
    expect((await admin.tap(list, cancel)).text).toBe('⏹ Cancelled: nothing more is sent.');
    expect((await admin.tap(list, cancel, { forged: true })).text).toBe(
      'Nothing changed: this broadcast is cancelled.',
    );
    shop.emu.setFaults(shop.tg.id, {});
    const ended = await latest();
    expect(ended.status).toBe('cancelled');
    expect(ended.progress.skipped).toBeGreaterThan(0);
    // What was on its way may still arrive; nothing more does.
    await new Promise((r) => setTimeout(r, 4_000));
    const got = received('SLOW-MARK');
    expect(got.every((n) => n <= 1)).toBe(true);
    expect(got.filter((n) => n === 1).length).toBeLessThan(CUSTOMERS.length);
  });

  it('a draft waiting for its picture from the console says so in the bot, and Start says why not', async () => {
    const saved = await shop
      .api('post', `/v1/bots/${shop.botId}/broadcasts`)
      .send({ text: 'AWAIT-MARK sale', audience: { segment: 'all' }, photoUploadFollows: true })
      .expect(201);
    const list = await admin.send('/broadcast', has('Broadcasts'));
    // The newest broadcast comes first.
    await admin.tap(list, 'ad:bv:');
    const draft = await admin.edited(list.messageId, has('Waiting for its picture'));
    expect((await admin.tap(draft, 'ad:bs:')).text).toBe('Not yet: this draft waits for its picture from the console.');
    expect((await latest()).status).toBe('draft');
    await shop.api('post', `/v1/bots/${shop.botId}/broadcasts/${saved.body.id}/cancel`).expect(200);
  });
});
