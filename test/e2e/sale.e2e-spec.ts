import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { panelUsername } from '@botfleet/provisioning';
import { waitFor } from '@botfleet/testing';
import { BotChat, buttonData, buttonsOf, has, withButton } from './support/bot-chat';
import { hostedShop, MONTHLY_50_GB } from './support/hosted-shop';
import { joinWithInvite } from './support/public-api';

const DAY = 86_400_000;
const GiB = 1024 ** 3;
const ADMIN_CHAT = -1001234567890;
const PRICE = MONTHLY_50_GB.priceMinor;
/** Wholesale: 1,000 per plan + 100 per GB × 50 GB. */
const WHOLESALE = 1_000 + 100 * 50;

/**
 * The first sale end to end (issue 6): a real worker process hosts the bot against the Telegram
 * emulator, the API runs in this process, provisioning talks to the Remnawave emulator, and every
 * step is what a user and an admin would do in Telegram or over REST.
 */
describe('the first sale: /buy → card-to-card → review → VPN account delivered', () => {
  jest.setTimeout(120_000);
  const admin1 = { id: 900_001, first_name: 'Owner', language_code: 'en' };
  const admin2 = { id: 900_002, first_name: 'Second', language_code: 'en' };
  // The shop is set up the way the operator and the reseller do it, through the API.
  const shop = hostedShop({
    remnawaveKey: 'rw-sale-e2e-key',
    env: {
      PROVISIONING_ATTEMPTS: '3',
      PROVISIONING_BACKOFF_MS: '300',
      PROVISIONING_LOCK_MS: '2000',
      SALE_SWEEP_INTERVAL_MS: '500',
      FULFILMENT_STUCK_AFTER_MS: '3000',
    },
    join: { ownerTelegramId: admin1.id, adminChatId: ADMIN_CHAT },
    wholesaleWallet: 1_000_000,
    wholesalePrice: { perPlanMinor: 1000, perGbMinor: 100, perDayMinor: 0, unlimitedTrafficGb: 0 },
    arrange: async () => {
      await shop
        .api('put', `/v1/bots/${shop.botId}/admins`)
        .send({ telegramIds: [admin2.id] })
        .expect(200);
      await shop.addPlan(MONTHLY_50_GB);
      await shop.addCard();
    },
  });
  const { emu, q, http } = shop;
  let userSeq = 50_000;
  const newUser = () => ({ id: ++userSeq, first_name: `Buyer${userSeq}`, language_code: 'en' });

  /** A new buyer's private chat with the shop's bot. */
  const newBuyer = () => new BotChat(emu, shop.tg, newUser());
  /** The admin chat, as `who` (an admin, or anyone in the group) acts in it. */
  const adminChat = (who: { id: number; first_name: string }) =>
    new BotChat(emu, shop.tg, who, { group: { id: ADMIN_CHAT, type: 'supergroup' } });
  const admins = () => adminChat(admin1);
  const userRow = async (tgId: number) =>
    (
      await q(`SELECT id, balance_minor::int AS balance FROM users WHERE bot_id = $1 AND telegram_id = $2`, [
        shop.botId,
        tgId,
      ])
    )[0] as { id: string; balance: number } | undefined;
  const paymentOf = async (userId: string) =>
    (
      await q(
        `SELECT * FROM card_to_card_payments WHERE bot_id = $1 AND user_id = $2 ORDER BY created_at DESC LIMIT 1`,
        [shop.botId, userId],
      )
    )[0] as {
      id: string;
      status: string;
      order_id: string;
      tracking_number: string;
    };
  const wallet = async () =>
    (
      await q(
        `SELECT wallet_balance_minor::int b, wallet_held_minor::int h, traffic_sold_bytes::bigint t FROM bots WHERE id = $1`,
        [shop.botId],
      )
    )[0] as {
      b: number;
      h: number;
      t: string;
    };
  const subscriptionOf = async (userId: string) =>
    (await q(`SELECT * FROM subscriptions WHERE bot_id = $1 AND user_id = $2`, [shop.botId, userId]))[0];
  const panelAccounts = (subscriptionId: string) =>
    shop.rw.accounts().filter((a) => a.username === panelUsername(subscriptionId, 'remnawave'));
  const orderStatus = async (orderId: string) =>
    (await q(`SELECT status FROM orders WHERE id = $1`, [orderId]))[0].status as string;
  const countOf = async (table: string, userId: string) =>
    (await q(`SELECT count(*)::int n FROM ${table} WHERE user_id = $1`, [userId]))[0].n as number;

  /** A second shop (API) whose buyer bought by card and sent a receipt in its bot; returns the payment id. */
  const foreignReceipt = async (): Promise<string> => {
    const other = emu.createBot();
    const joined = await joinWithInvite(http, shop.env.masterToken, {
      name: 'Other shop',
      telegramBotToken: other.token,
      ownerTelegramId: 900_101,
      defaultLanguage: 'en',
    });
    const otherApi = (method: 'get' | 'post', path: string) => shop.as(joined.apiToken, method, path);
    await otherApi('post', `/v1/bots/${joined.botId}/plans`)
      .send({ name: { en: 'X' }, periodDays: 30, priceMinor: 10, trafficLimitGb: 0, deviceLimit: 0 })
      .expect(201);
    await otherApi('post', `/v1/bots/${joined.botId}/payment-cards`)
      .send({ cardNumber: '4111111111111111', cardHolderName: 'Other' })
      .expect(201);
    await emu.waitForPolling(other.id, 15_000);
    const buyer = new BotChat(emu, other, newUser());
    await buyer.buyByCard();
    await buyer.submitReceipt();
    const pending = await otherApi('get', `/v1/bots/${joined.botId}/card-payments?status=pending`).expect(200);
    return pending.body.items[0].id;
  };

  it('the whole purchase: link and QR delivered, exactly one panel account, ledgers right', async () => {
    const buyer = newBuyer();
    const before = await wallet();
    const card = await buyer.buyByCard();
    expect(card.text).toContain('6037 9900 0000 0006');
    expect(card.text).toContain('Ali Rezaei');
    expect(card.text).toMatch(/C2C-\d{6}-[2-9A-Z]{6}/);
    expect(await wallet()).toMatchObject({ b: before.b, h: before.h + WHOLESALE });

    const review = await buyer.sendReceipt(admins());
    expect(review.caption).toContain('Monthly 50 GB');
    expect(review.caption).toContain('•••• 0006');
    const mark = buyer.lastId();
    admins().press(review, 'rv:a:');

    await buyer.next(mark, has('was approved'));
    const delivered = await buyer.next(mark, (m) => m.method === 'sendPhoto', 30_000);
    const user = (await userRow(buyer.user.id))!;
    const payment = await paymentOf(user.id);
    const sub = await subscriptionOf(user.id);
    expect(delivered.caption).toContain(sub.subscription_url);
    const accounts = panelAccounts(sub.id);
    expect(accounts).toHaveLength(1);
    const account = accounts[0];
    expect(Math.abs(account.expireAt!.getTime() - (Date.now() + 30 * DAY))).toBeLessThan(120_000);
    expect(account.trafficLimitBytes).toBe(50 * GiB);
    expect(account.deviceLimit).toBe(2);
    await waitFor(async () => (await orderStatus(payment.order_id)) === 'fulfilled', 15_000);
    expect(await wallet()).toMatchObject({ b: before.b - WHOLESALE, h: before.h });
    expect(Number((await wallet()).t) - Number(before.t)).toBe(50 * GiB);
    // Paid by card: the user's own wallet ledger is untouched.
    expect(await countOf('transactions', user.id)).toBe(0);
    // The review message was closed with who approved (a note after it).
    await admins().next(review.messageId, has('Approved by admin 900001'));
  });

  it('five fast taps on a plan and on "Pay" make one order and one card payment', async () => {
    const buyer = newBuyer();
    const plans = await buyer.send('/buy', withButton('s:p:'));
    for (let i = 0; i < 5; i++) buyer.press(plans, 's:p:');
    const methods = await buyer.message(withButton('s:c:'));
    for (let i = 0; i < 5; i++) buyer.press(methods, 's:c:');
    await buyer.message(has('C2C-'));
    await new Promise((r) => setTimeout(r, 1_500));
    const user = (await userRow(buyer.user.id))!;
    expect(await countOf('orders', user.id)).toBe(1);
    expect(await countOf('card_to_card_payments', user.id)).toBe(1);
  });

  it("a non-admin pressing Approve, and a forged button naming another bot's payment, change nothing", async () => {
    const buyer = newBuyer();
    await buyer.buyByCard();
    const review = await buyer.sendReceipt(admins());
    const stranger = adminChat({ id: 123_456, first_name: 'Stranger' });
    expect((await stranger.tap(review, 'rv:a:')).text).toContain('Only the admins');
    // A payment of another bot, named in callback data sent to this bot by a modified client.
    // Another shop's receipt waiting for review: a second shop set up through the API, a buyer in its bot.
    const foreignPayment = await foreignReceipt();
    const forged =
      buttonData(review, 'rv:a:')!.slice(0, 5) +
      Buffer.from(foreignPayment.replace(/-/g, ''), 'hex').toString('base64url');
    expect((await admins().tap(review, forged, { forged: true })).text).toContain('does not exist here');
    expect((await q(`SELECT status FROM card_to_card_payments WHERE id = $1`, [foreignPayment]))[0].status).toBe(
      'pending',
    );
    const user = (await userRow(buyer.user.id))!;
    expect((await paymentOf(user.id)).status).toBe('pending');
  });

  it("100 concurrent approvals (REST and two admins' buttons) give one approval, one account, one capture", async () => {
    const buyer = newBuyer();
    await buyer.buyByCard();
    const review = await buyer.sendReceipt(admins());
    const user = (await userRow(buyer.user.id))!;
    const payment = await paymentOf(user.id);
    // The review is this buyer's: its Approve button names this payment.
    const approve = buttonData(review, 'rv:a:')!;
    expect(approve).toBe(`rv:a:${Buffer.from(payment.id.replace(/-/g, ''), 'hex').toString('base64url')}`);
    const rest = Array.from({ length: 50 }, () =>
      shop.api('post', `/v1/bots/${shop.botId}/card-payments/${payment.id}/approve`),
    );
    for (let i = 0; i < 50; i++) adminChat(i % 2 ? admin1 : admin2).press(review, approve);
    const answers = await Promise.all(rest);
    const statuses = answers.map((r) => r.status);
    // Every loser is a clean 409 (named, so a 503 shows its code and message here).
    expect(answers.filter((r) => r.status !== 200 && r.status !== 409).map((r) => [r.status, r.body])).toEqual([]);
    expect(answers.filter((r) => r.status === 409).every((r) => r.body.error.code === 'ALREADY_REVIEWED')).toBe(true);
    await waitFor(async () => (await orderStatus(payment.order_id)) === 'fulfilled', 30_000);
    const captures = await q(
      `SELECT count(*)::int n FROM tenant_wallet_ledger WHERE bot_id = $1 AND idempotency_key = $2`,
      [shop.botId, `order:${payment.order_id}:capture`],
    );
    expect(captures[0].n).toBe(1);
    const sub = await subscriptionOf(user.id);
    expect(panelAccounts(sub.id)).toHaveLength(1);
    const approvals = await q(
      `SELECT count(*)::int n FROM audit_logs WHERE bot_id = $1 AND action = 'card_payment.approve' AND target_id = $2`,
      [shop.botId, payment.id],
    );
    expect(approvals[0].n).toBe(1);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
  });

  it('reject with a reason → the user resubmits → approve; the same account is extended on renewal', async () => {
    const buyer = newBuyer();
    const second2 = adminChat(admin2);
    await buyer.buyByCard();
    const review = await buyer.sendReceipt(admins());
    second2.press(review, 'rv:j:');
    const reasons = await second2.edited(review.messageId, withButton('rv:p:'));
    second2.press(reasons, 'rv:p:');
    await buyer.message(has('The amount does not match'));
    const second = await buyer.sendReceipt(admins());
    expect(second.messageId).not.toBe(review.messageId);
    admins().press(second, 'rv:a:');
    const user = (await userRow(buyer.user.id))!;
    const sub = await waitFor(
      async () =>
        (
          await q(`SELECT * FROM subscriptions WHERE bot_id = $1 AND user_id = $2 AND status = 'active'`, [
            shop.botId,
            user.id,
          ])
        )[0],
      30_000,
    );
    const firstExpiry = new Date(sub.expires_at).getTime();

    // Renewal: the plan again → renew → card → receipt → approve: the same panel account, 30 more days.
    const plans = await buyer.send('/buy', withButton('s:p:'));
    buyer.press(plans, 's:p:');
    const choice = await buyer.message(withButton('s:r:'));
    buyer.press(choice, 's:r:');
    const methods = await buyer.edited(choice.messageId, withButton('s:c:'));
    buyer.press(methods, 's:c:');
    await waitFor(async () => (await countOf('card_to_card_payments', user.id)) === 2, 10_000);
    const renewReview = await buyer.sendReceipt(admins());
    admins().press(renewReview, 'rv:a:');
    await waitFor(async () => {
      const r = (await q(`SELECT expires_at FROM subscriptions WHERE id = $1`, [sub.id]))[0];
      return new Date(r.expires_at).getTime() > firstExpiry + 29 * DAY;
    }, 30_000);
    expect(await countOf('subscriptions', user.id)).toBe(1);
    expect(panelAccounts(sub.id)).toHaveLength(1);
  });

  it('a payment nobody sent a receipt for expires after its deadline: user told, order expired, hold released', async () => {
    const buyer = newBuyer();
    const held = await wallet();
    const card = await buyer.buyByCard();
    const user = (await userRow(buyer.user.id))!;
    const payment = await paymentOf(user.id);
    expect((await wallet()).h).toBe(held.h + WHOLESALE);
    // The deadline is minutes away; move it into the past rather than wait.
    await q(`UPDATE card_to_card_payments SET expires_at = now() - interval '1 second' WHERE id = $1`, [payment.id]);
    await buyer.next(card.messageId, has('expired'));
    expect(await orderStatus(payment.order_id)).toBe('expired');
    expect((await wallet()).h).toBe(held.h);
  });

  it('a receipt under review outlives the payment deadline: nothing expires, and Approve still delivers', async () => {
    const buyer = newBuyer();
    await buyer.buyByCard();
    const review = await buyer.sendReceipt(admins());
    const user = (await userRow(buyer.user.id))!;
    const payment = await paymentOf(user.id);
    const held = await wallet();
    await q(`UPDATE card_to_card_payments SET expires_at = now() - interval '1 second' WHERE id = $1`, [payment.id]);
    await sleep(2_000); // four sweeps at SALE_SWEEP_INTERVAL_MS
    expect(await orderStatus(payment.order_id)).toBe('pending');
    expect((await wallet()).h).toBe(held.h);
    admins().press(review, 'rv:a:');
    await buyer.message((m) => m.method === 'sendPhoto', 30_000);
  });

  it('a short tenant wallet refuses the sale before payment details; after a top-up it sells', async () => {
    await q(`UPDATE bots SET wallet_balance_minor = wallet_held_minor WHERE id = $1`, [shop.botId]);
    const buyer = newBuyer();
    const plans = await buyer.send('/buy', withButton('s:p:'));
    buyer.press(plans, 's:p:');
    await buyer.message(has('cannot take orders'));
    await new BotChat(emu, shop.tg, admin1).message(has('wholesale wallet is too low'));
    const user = (await userRow(buyer.user.id))!;
    expect(await countOf('orders', user.id)).toBe(0);
    await shop
      .master('post', `/v1/admin/bots/${shop.botId}/wallet/top-ups`)
      .set('Idempotency-Key', `topup-${randomUUID()}`)
      .send({ amountMinor: 100_000, note: 'refill' })
      .expect(201);
    buyer.press(plans, 's:p:');
    await buyer.message(withButton('s:c:'));
    expect(await countOf('orders', user.id)).toBe(1);
  });

  it('panel down for good: the price goes back to the wallet, the wholesale charge is reversed, both told', async () => {
    const buyer = newBuyer();
    await buyer.buyByCard();
    const review = await buyer.sendReceipt(admins());
    const before = await wallet();
    await shop.rw.down('refuse');
    const mark = buyer.lastId();
    try {
      admins().press(review, 'rv:a:');
      await buyer.next(mark, has('returned to your wallet'), 60_000);
    } finally {
      await shop.rw.up();
    }
    const user = (await userRow(buyer.user.id))!;
    const payment = await paymentOf(user.id);
    expect(await orderStatus(payment.order_id)).toBe('refunded');
    expect(user.balance).toBe(PRICE);
    const after = await wallet();
    expect(after.b).toBe(before.b);
    expect(after.h).toBe(before.h - WHOLESALE);
    await admins().next(review.messageId, has('Provisioning failed'));
  });

  it('paying from the wallet in the bot: refused with the real figures when short, then paid and delivered', async () => {
    const buyer = newBuyer();
    await buyer.send('/start');
    const user = (await userRow(buyer.user.id))!;
    await shop.giveBalance(user.id, PRICE, 'gift-1', 'gift');
    const methods = await buyer.buy('s:w:');
    // The balance drops between showing the button and pressing it.
    await q(`UPDATE users SET balance_minor = 1000 WHERE id = $1`, [user.id]);
    buyer.press(methods, 's:w:');
    // Short: a message with the real figures (balance, price, currency) and "Top up the difference" (the lack).
    const short = await buyer.message(has('does not cover'));
    // (Intl puts a no-break space between the currency and the figure.)
    expect(short.text).toMatch(/Your wallet balance \(IRR\s1,000\) does not cover IRR\s500,000\./);
    expect(buttonsOf(short).find((b) => b.callback_data?.startsWith('wt:'))?.text).toMatch(
      /Top up the difference \(IRR\s499,000\)/,
    );
    await q(`UPDATE users SET balance_minor = $2 WHERE id = $1`, [user.id, PRICE]);
    buyer.press(methods, 's:w:');
    await buyer.message((m) => m.method === 'sendPhoto', 30_000);
    expect((await userRow(buyer.user.id))!.balance).toBe(0);
    const ledger = await q(
      `SELECT type, amount_minor::int a FROM transactions WHERE user_id = $1 ORDER BY created_at`,
      [user.id],
    );
    expect(ledger).toEqual([
      { type: 'adjustment', a: PRICE },
      { type: 'purchase', a: -PRICE },
    ]);
  });

  it('the worker killed right after approval: the account is delivered once after restart', async () => {
    const buyer = newBuyer();
    await buyer.buyByCard();
    await buyer.sendReceipt(admins());
    const user = (await userRow(buyer.user.id))!;
    const payment = await paymentOf(user.id);
    await shop.worker.kill();
    await shop.api('post', `/v1/bots/${shop.botId}/card-payments/${payment.id}/approve`).expect(200);
    await shop.startWorker();
    await buyer.message((m) => m.method === 'sendPhoto', 40_000);
    await new Promise((r) => setTimeout(r, 1_500));
    const photos = buyer.messages().filter((m) => m.direction === 'bot' && m.method === 'sendPhoto');
    expect(photos).toHaveLength(1);
    const sub = await subscriptionOf(user.id);
    expect(panelAccounts(sub.id)).toHaveLength(1);
  });
});
