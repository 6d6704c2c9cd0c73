import { waitFor } from '@botfleet/testing';
import { BotChat, buttonsOf, ChatMessage, has, textOf, withButton } from './support/bot-chat';
import { hostedShop } from './support/hosted-shop';

type Person = { id: number; first_name: string; language_code: string; username?: string };
const OWNER: Person = { id: 930_001, first_name: 'Owner', language_code: 'en' };
const ADMIN: Person = { id: 930_002, first_name: 'Admin', language_code: 'en' };
const SUPPORT: Person = { id: 930_003, first_name: 'Agent', language_code: 'en' };
const BUYER: Person = { id: 930_010, first_name: 'Buyer', language_code: 'en', username: 'buyer_one' };
const PRICE = 400_000;

/**
 * The shop run from its own bot (`/admin`), end to end: a worker hosts the bot against the Telegram emulator,
 * the shop is set up over the public API, and owner, admin, support agent and a customer each drive the bot
 * as a person would. Each sees what the role allows; forged taps change nothing.
 */
describe('running the shop from Telegram: /admin by role', () => {
  jest.setTimeout(180_000);
  let planId: string;
  let paymentId: string;
  const shop = hostedShop({
    join: { name: 'Tea <b>&</b> Shop', ownerTelegramId: OWNER.id },
    wholesaleWallet: 1_000_000,
    arrange: async () => {
      await shop.setAdmins([
        { telegramId: ADMIN.id, role: 'admin' },
        { telegramId: SUPPORT.id, role: 'support' },
      ]);
      planId = await shop.addPlan({
        name: { en: 'Monthly' },
        periodDays: 30,
        priceMinor: PRICE,
        trafficLimitGb: 50,
        deviceLimit: 2,
      });
      for (let i = 2; i <= 7; i++) {
        await shop.addPlan({
          name: { en: `Plan ${i}` },
          periodDays: 30,
          priceMinor: PRICE + i,
          trafficLimitGb: 10,
          deviceLimit: 1,
        });
      }
      await shop.addCard();
    },
  });
  const { q } = shop;
  /** Each person's chat with the shop's bot. */
  let owner: BotChat;
  let admin: BotChat;
  let agent: BotChat;
  let buyer: BotChat;

  const labels = (m: ChatMessage) => buttonsOf(m).map((b) => b.text);
  const priceOf = async (id: string) =>
    (
      (await shop.api('get', `/v1/bots/${shop.botId}/plans`).expect(200)).body as { id: string; priceMinor: number }[]
    ).find((p) => p.id === id)?.priceMinor;
  const paymentStatus = async () =>
    (await q(`SELECT status FROM card_to_card_payments WHERE id = $1`, [paymentId]))[0].status as string;

  beforeAll(async () => {
    [owner, admin, agent, buyer] = [OWNER, ADMIN, SUPPORT, BUYER].map((who) => new BotChat(shop.emu, shop.tg, who));
    // A customer buys by card and sends a photo receipt: one receipt waits for review.
    await buyer.buyByCard('Monthly');
    await buyer.submitReceipt();
    paymentId = (
      await q(`SELECT id FROM card_to_card_payments WHERE bot_id = $1 AND status = 'pending'`, [shop.botId])
    )[0].id;
  });

  it('a customer sending /admin gets the customer menu, and a forged ad: tap shows nothing', async () => {
    const before = buyer.lastId();
    const menu = await buyer.send('/admin', withButton('menu:'));
    const replies = buyer.messages().filter((m) => m.messageId > before);
    expect(replies.map(textOf).join('\n')).toContain('Use the menu below');
    expect(replies.map(textOf).join('\n')).not.toMatch(/admin/i);
    expect(replies.flatMap(labels).join(' ')).not.toMatch(/Dashboard|Find a customer/);
    const answer = await buyer.tap(menu, 'ad:d', { forged: true });
    expect(answer.text).toBe('This is not available.');
    const help = await buyer.send('/help', has('/start'));
    expect(textOf(help)).not.toContain('/admin');
  });

  it('a support agent sees only the customer lookup; forged approve taps (ad: and rv:) change nothing', async () => {
    const home = await agent.send('/admin', has('Shop admin'));
    expect(textOf(home)).toContain('support agent');
    expect(textOf(home)).toContain('Tea <b>&</b> Shop'); // the shop's name, escaped
    expect(labels(home)).toEqual(['🔎 Find a customer', '🎫 Tickets', '🖥 Open the web console']);
    const packed = Buffer.from(paymentId.replace(/-/g, ''), 'hex').toString('base64url');
    for (const forged of [`ad:rA:${packed}`, `ad:ra:${packed}`, `rv:a:${packed}`]) {
      const answer = await agent.tap(home, forged, { forged: true });
      expect({ forged, text: answer.text }).toEqual({
        forged,
        text: expect.stringMatching(/not allow|only|not available/i),
      });
    }
    expect(await paymentStatus()).toBe('pending');
    expect((await agent.send('/receipts', has('does not allow'))).messageId).toBeGreaterThan(0);
    // Lookup works, but the card has no block / adjust buttons.
    const card = await agent.send(`/find ${BUYER.id}`, has(String(BUYER.id)));
    expect(textOf(card)).toContain('Buyer');
    expect(labels(card).some((l) => /Block|Adjust/.test(l))).toBe(false);
    const help = await agent.send('/help', has('Admin commands'));
    expect(textOf(help)).toContain('/find');
    expect(textOf(help)).toContain('/tickets');
    expect(textOf(help)).not.toContain('/receipts');
  });

  it('an admin reviews the receipt from /admin: confirm, then approve (the same use case as the admin chat)', async () => {
    const home = await admin.send('/admin', has('Shop admin'));
    expect(labels(home)).toEqual([
      '📊 Dashboard',
      '🧾 Receipts to review',
      '🔎 Find a customer',
      '📦 Plans',
      '💳 Payment cards',
      '✏️ Shop texts',
      '📣 Broadcasts',
      '🎫 Tickets',
      '🖥 Open the web console',
    ]);
    const dash = await admin.send('/stats', has('Dashboard'));
    expect(textOf(dash)).toContain('Receipts waiting: 1');
    expect(textOf(dash)).not.toContain('Wholesale wallet'); // the wallet is the owner's
    const receipt = await admin.send('/receipts', has('Receipt 1 of 1'));
    expect(textOf(receipt)).toContain('Buyer');
    await admin.tap(receipt, 'ad:ra:');
    const confirm = await admin.edited(receipt.messageId, has('Approve receipt'));
    expect(await paymentStatus()).toBe('pending'); // asking is not approving
    const answer = await admin.tap(confirm, 'ad:rA:');
    expect(answer.text).toBe('✅ Done.');
    expect(await paymentStatus()).toBe('approved');
    const audits = await q(
      `SELECT actor_id, actor_role FROM audit_logs WHERE bot_id = $1 AND actor_type = 'bot_admin' AND target_id = $2`,
      [shop.botId, paymentId],
    );
    expect(audits).toContainEqual({ actor_id: String(ADMIN.id), actor_role: 'admin' });
  });

  it('the owner adjusts a balance: amount + reason, confirmed; a double tap adjusts once', async () => {
    const dash = await owner.send('/stats', has('Dashboard'));
    expect(textOf(dash)).toContain('Wholesale wallet');
    const card = await owner.send('/find @buyer_one', has(String(BUYER.id)));
    await owner.tap(card, 'ad:ua:');
    await owner.message(has('Send the amount and the reason'));
    const bad = await owner.send('lots of money', has('Send a whole number'));
    expect(bad).toBeDefined();
    const confirm = await owner.send('+5000 <b>thanks</b> & welcome', has('Adjust the wallet'));
    expect(textOf(confirm)).toContain('<b>thanks</b> & welcome'); // shown as typed, not as markup
    const yes = owner.data(confirm, 'ad:uA:');
    const [a, b] = await Promise.all([owner.tap(confirm, yes), owner.tap(confirm, yes)]);
    const answers = [a.text, b.text];
    expect(answers.filter((x) => x?.startsWith('✅ Balance adjusted: now'))).toHaveLength(1);
    expect(answers.filter((x) => x === 'This adjustment was already made.')).toHaveLength(1);
    const [user] = await q(
      `SELECT id, balance_minor::int AS balance FROM users WHERE bot_id = $1 AND telegram_id = $2`,
      [shop.botId, BUYER.id],
    );
    const adjustments = await q(
      `SELECT amount_minor::int AS amount FROM transactions WHERE user_id = $1 AND type = 'adjustment'`,
      [user.id],
    );
    expect(adjustments).toEqual([{ amount: 5000 }]);
    // The admin (not owner) cannot: no button, and a forged confirm of the owner's draft is refused.
    const adminCard = await admin.send(`/find ${BUYER.id}`, has(String(BUYER.id)));
    expect(labels(adminCard).some((l) => l.includes('Adjust'))).toBe(false);
    const forged = await admin.tap(adminCard, yes, { forged: true });
    expect(forged.text).toBe('Your role does not allow this.');
    expect(
      await q(`SELECT count(*)::int AS n FROM transactions WHERE user_id = $1 AND type = 'adjustment'`, [user.id]),
    ).toEqual([{ n: 1 }]);
  });

  it('a customer search by name is paged; a support agent can page through it too', async () => {
    const guests = Array.from({ length: 7 }, (_, i) => ({
      id: 930_100 + i,
      first_name: `Guest${i}`,
      language_code: 'en',
    }));
    for (const g of guests) await new BotChat(shop.emu, shop.tg, g).send('/start', withButton('menu:'));
    const page1 = await agent.send('/find Guest', has('Customers matching'));
    expect(textOf(page1)).toContain('(7)');
    expect(labels(page1).filter((l) => l.startsWith('Guest'))).toHaveLength(6);
    await agent.tap(page1, 'ad:lp:2');
    const page2 = await agent.edited(page1.messageId, (m) => labels(m).some((l) => l.includes('‹ Previous')));
    expect(labels(page2).filter((l) => l.startsWith('Guest'))).toHaveLength(1);
    await agent.tap(page2, 'ad:u:');
    await agent.edited(page1.messageId, has('Joined'));
  });

  it('plans are paged; a price change is confirmed and shows in /buy', async () => {
    const list = await admin.send('/plans', has('page 1 of 2'));
    await admin.tap(list, 'ad:p:2');
    await admin.edited(list.messageId, has('page 2 of 2'));
    const page1 = await admin.send('/plans', has('page 1 of 2'));
    const monthly = buttonsOf(page1).find((x) => x.text.includes('Monthly'))!.callback_data!;
    await admin.tap(page1, monthly);
    const plan = await admin.edited(page1.messageId, has('30 days'));
    await admin.tap(plan, 'ad:pp:');
    await admin.message(has('Send the new price'));
    expect((await admin.send('12abc', has('Send a whole number from 1'))).text).toBeDefined();
    const confirm = await admin.send('777000', has('Change the price'));
    expect(await priceOf(planId)).toBe(PRICE);
    await admin.tap(confirm, 'ad:pP:');
    await waitFor(async () => (await priceOf(planId)) === 777000);
    const buy = await buyer.send('/buy', withButton('s:p:'));
    expect(labels(buy).find((l) => l.includes('Monthly'))).toMatch(/777,000/);
  });

  it('the welcome text is edited by sending it: preview, save, and /start shows it (escaped)', async () => {
    const texts = await admin.send('/texts', has('Shop texts'));
    await admin.tap(texts, 'ad:te:w:en');
    await admin.message(has('Send the new Welcome text'));
    const hostile = 'Hi <script>alert(1)</script> & <b>welcome</b> \u202Ekcah';
    const preview = await admin.send(hostile, has('Preview'));
    expect(textOf(preview)).toContain('<script>alert(1)</script>');
    await admin.tap(preview, 'ad:tS:');
    const start = await buyer.send('/start', has('Hi <script>'));
    expect(textOf(start)).toContain('& <b>welcome</b>');
    expect(start.entities ?? []).toEqual([]);
  });

  it('payment cards: listed with today’s usage and success rate; turning one off is confirmed', async () => {
    const list = await admin.send('/cards', has('Payment cards'));
    await admin.tap(list, 'ad:cv:');
    const card = await admin.edited(list.messageId, has('Success rate'));
    expect(textOf(card)).toContain('100%');
    await admin.tap(card, 'ad:ct:');
    const confirm = await admin.edited(list.messageId, has('Deactivate card'));
    await admin.tap(confirm, 'ad:cT:');
    await waitFor(async () => {
      const cards = (await shop.api('get', `/v1/bots/${shop.botId}/payment-cards`)).body;
      const items = Array.isArray(cards) ? cards : cards.items;
      return items[0].isActive === false;
    });
  });

  it('an admin blocks a customer (confirmed) and unblocks them; a resend without an active link says so', async () => {
    const card = await admin.send(`/find ${BUYER.id}`, has(String(BUYER.id)));
    const resend = await admin.tap(card, 'ad:us:');
    expect(resend.text).toBe('The customer has no active subscription with a link.');
    await admin.tap(card, 'ad:ub:');
    const confirm = await admin.edited(card.messageId, has('Block Buyer?'));
    const blockedBefore = await q(`SELECT status FROM users WHERE bot_id = $1 AND telegram_id = $2`, [
      shop.botId,
      BUYER.id,
    ]);
    expect(blockedBefore).toEqual([{ status: 'active' }]);
    await admin.tap(confirm, 'ad:uB:');
    const blocked = await admin.edited(card.messageId, has('blocked'));
    await buyer.send('/start', has('has been blocked'));
    await admin.tap(blocked, 'ad:ub:');
    const unblock = await admin.edited(card.messageId, has('Unblock Buyer?'));
    await admin.tap(unblock, 'ad:uB:');
    await admin.edited(card.messageId, has('active'));
    await buyer.send('/start', withButton('menu:'));
  });
});
