import { BotChat, buttonData, ChatMessage, has, withButton } from './support/bot-chat';
import { hostedShop, MONTHLY_50_GB } from './support/hosted-shop';

const ADMIN_CHAT = -1001234567013;

/**
 * Promo codes and referrals end to end (issue 13 parts 1–2): the API and a worker as their own processes, the
 * Telegram and Remnawave emulators. The tenant makes codes over REST; a friend who joined by a referral link applies
 * a code on the payment screen, pays the discounted price card to card, the admin approves, the link arrives; the
 * referrer's /ref shows the earning; /promo with a wallet-bonus code credits the wallet.
 */
describe('promo codes and referrals through the bot', () => {
  jest.setTimeout(120_000);
  const owner = { id: 930_013, first_name: 'Owner', language_code: 'en' };
  const referrer = { id: 60_131, first_name: 'Rita', language_code: 'en' };
  const friend = { id: 60_132, first_name: 'Farid', language_code: 'en' };
  const shop = hostedShop({
    api: 'process',
    remnawaveKey: 'rw-promo-e2e-key',
    env: { PROVISIONING_ATTEMPTS: '3', PROVISIONING_BACKOFF_MS: '300' },
    join: { ownerTelegramId: owner.id, adminChatId: ADMIN_CHAT },
    wholesaleWallet: 1_000_000,
    arrange: async () => {
      const botId = shop.botId;
      await shop.api('put', `/v1/bots/${botId}/features/promo_codes`).send({ enabled: true }).expect(200);
      await shop.api('put', `/v1/bots/${botId}/features/referral_program`).send({ enabled: true }).expect(200);
      await shop
        .api('put', `/v1/bots/${botId}/configurations/referral_commission_percent`)
        .send({ value: 10 })
        .expect(200);
      await shop.addPlan(MONTHLY_50_GB);
      await shop.addCard();
    },
  });
  const { q, api } = shop;
  /** A match: the text or caption matches `re`. */
  const matches = (re: RegExp) => (m: ChatMessage) => re.test(m.text ?? m.caption ?? '');
  /** Each person's chat with the shop's bot; the owner acts in the admin chat. */
  const chatOf = (from: { id: number; first_name: string }) => new BotChat(shop.emu, shop.tg, from);
  const admins = () => new BotChat(shop.emu, shop.tg, owner, { group: { id: ADMIN_CHAT, type: 'supergroup' } });

  it('the tenant manages codes over REST; bad input is refused naming the field', async () => {
    const bad = await api('post', `/v1/bots/${shop.botId}/promo-codes`).send({ code: 'X', kind: 'percent', value: 10 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.details)).toContain('code');
    const pct = await api('post', `/v1/bots/${shop.botId}/promo-codes`).send({
      code: 'HUNDRED',
      kind: 'percent',
      value: 100,
    });
    expect(pct.status).toBe(400);
    const created = await api('post', `/v1/bots/${shop.botId}/promo-codes`)
      .send({ code: 'save20', kind: 'percent', value: 20, maxUses: 1 })
      .expect(201);
    expect(created.body).toMatchObject({ code: 'SAVE20', kind: 'percent', value: 20, usesCount: 0, maxUses: 1 });
    await api('post', `/v1/bots/${shop.botId}/promo-codes`)
      .send({ code: 'SAVE20', kind: 'fixed', value: 5 })
      .expect(409);
    await api('post', `/v1/bots/${shop.botId}/promo-codes`)
      .send({ code: 'BONUS50', kind: 'balance', value: 50_000 })
      .expect(201);
    const tmp = await api('post', `/v1/bots/${shop.botId}/promo-codes`)
      .send({ code: 'TMP', kind: 'fixed', value: 5 })
      .expect(201);
    await api('patch', `/v1/bots/${shop.botId}/promo-codes/${tmp.body.id}`).send({ isActive: false }).expect(200);
    await api('delete', `/v1/bots/${shop.botId}/promo-codes/${tmp.body.id}`).expect(200, { outcome: 'deleted' });
    await api('get', `/v1/bots/${shop.botId}/promo-codes/${tmp.body.id}`).expect(404);
    const list = await api('get', `/v1/bots/${shop.botId}/promo-codes`).expect(200);
    expect(list.body.items.map((c: { code: string }) => c.code).sort()).toEqual(['BONUS50', 'SAVE20']);
  });

  it('a referred friend applies a code at checkout, pays the discounted price, and the referrer sees the earning', async () => {
    const rita = chatOf(referrer);
    const farid = chatOf(friend);
    // The referrer's link from /ref.
    const refScreen = await rita.send('/ref', has('Invite friends'));
    const payload = /start=(ref_[A-Za-z0-9]+)/.exec(refScreen.text ?? '')?.[1];
    expect(payload).toBeDefined();
    expect(refScreen.text).toContain(`https://t.me/${shop.tg.username}?start=${payload}`);

    // The friend joins by it, then buys.
    await farid.send(`/start ${payload}`, withButton('menu:'));
    const plans = await farid.send('/buy', withButton('s:p:'));
    farid.press(plans, 's:p:');
    const methods = await farid.edited(plans.messageId, withButton('pc:o:'));
    expect(methods.text).toMatch(/IRR\s500,000/);
    // A forged order id on the button is not this user's open order: an alert, no prompt.
    const refused = await farid.tap(methods, 'pc:o:AAAAAAAAAAAAAAAAAAAAAA', { forged: true });
    expect(refused.text).toBe('This is not available.');
    let mark = farid.lastId();
    farid.press(methods, 'pc:o:');
    const prompt = await farid.next(mark, has('promo code for this order'));
    await farid.reply(prompt, 'nope', has('no such promo code'));
    mark = farid.lastId();
    farid.say('save20', prompt.messageId);
    await farid.next(mark, matches(/You pay IRR\s400,000 instead of IRR\s500,000/));
    const repriced = await farid.next(mark, withButton('s:c:'));
    expect(repriced.text).toMatch(/IRR\s400,000/);
    expect(buttonData(repriced, 'pc:o:')).toBeUndefined();

    farid.press(repriced, 's:c:');
    const card = await farid.edited(repriced.messageId, has('C2C-'));
    expect(card.text).toMatch(/400,000/);
    const review = await farid.sendReceipt(admins());
    mark = farid.lastId();
    admins().press(review, 'rv:a:');
    await farid.next(mark, (m) => m.method === 'sendPhoto', 30_000);

    const friendId = await shop.userIdOf(friend.id);
    const [order] = await q(
      `SELECT o.amount_minor::int AS amount, o.discount_minor::int AS discount, p.code, o.status
         FROM orders o JOIN promocodes p ON p.id = o.promocode_id WHERE o.bot_id = $1 AND o.user_id = $2`,
      [shop.botId, friendId],
    );
    expect(order).toEqual({ amount: 400_000, discount: 100_000, code: 'SAVE20', status: 'fulfilled' });
    const [paid] = await q(
      `SELECT amount_minor::int AS amount FROM card_to_card_payments WHERE bot_id = $1 AND user_id = $2`,
      [shop.botId, friendId],
    );
    expect(paid.amount).toBe(400_000);

    // The referrer: 10 % of what the friend paid, in the wallet and on /ref.
    const referrerId = await shop.userIdOf(referrer.id);
    const earned = await q(
      `SELECT amount_minor::int AS amount, idempotency_key AS key FROM transactions WHERE bot_id = $1 AND user_id = $2`,
      [shop.botId, referrerId],
    );
    expect(earned).toEqual([{ amount: 40_000, key: expect.stringMatching(/^referral:/) }]);
    const after = await rita.send('/ref', has('Invite friends'));
    expect(after.text).toContain('Joined: 1');
    expect(after.text).toContain('Bought: 1');
    expect(after.text).toMatch(/Earned: IRR\s40,000/);
    const rest = await api('get', `/v1/bots/${shop.botId}/users/${referrerId}/referrals`).expect(200);
    expect(rest.body).toMatchObject({
      total: 1,
      summary: { joined: 1, bought: 1, earnedMinor: 40_000, startPayload: payload },
      items: [{ referredId: friendId, amountMinor: 40_000, reversedAt: null }],
    });
    // The one-use code is used up for anyone else.
    const code = await api('get', `/v1/bots/${shop.botId}/promo-codes`).expect(200);
    expect(code.body.items.find((c: { code: string }) => c.code === 'SAVE20').usesCount).toBe(1);
  });

  it('/promo with a wallet-bonus code credits the wallet once', async () => {
    const rita = chatOf(referrer);
    const done = await rita.send('/promo bonus50', has('added to your wallet'));
    expect(done.text).toMatch(/IRR\s50,000/);
    await rita.send('/promo BONUS50', has('already used this promo code'));
    const referrerId = await shop.userIdOf(referrer.id);
    const promo = await q(
      `SELECT amount_minor::int AS amount, idempotency_key AS key FROM transactions WHERE bot_id = $1 AND user_id = $2 AND type = 'promo'`,
      [shop.botId, referrerId],
    );
    expect(promo).toEqual([{ amount: 50_000, key: expect.stringMatching(/^promo:[0-9a-f-]{36}$/) }]);
  });
});
