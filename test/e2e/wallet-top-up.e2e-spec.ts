import { BotChat, buttonData, ChatMessage, has, withButton } from './support/bot-chat';
import { hostedShop, MONTHLY_50_GB } from './support/hosted-shop';

const ADMIN_CHAT = -1001234567001;
const PRICE = MONTHLY_50_GB.priceMinor;
const PRESET = 100_000;

/**
 * Wallet top-ups end to end (issue 12 part 5): a real worker hosts the bot against the Telegram emulator, the API
 * runs as its own process (as in production), provisioning talks to the Remnawave emulator. A buyer tops the wallet up card to card
 * (the same receipt review as orders, decided in the admin chat), and tops up what the wallet lacks for an order,
 * is asked, pays it from the wallet and gets the subscription link.
 */
describe('wallet top-ups: /wallet → Top up → card → receipt → admin approves → one deposit', () => {
  jest.setTimeout(120_000);
  const owner = { id: 930_001, first_name: 'Owner', language_code: 'en' };
  const buyer = { id: 60_001, first_name: 'Buyer', language_code: 'en' };
  const shop = hostedShop({
    api: 'process',
    remnawaveKey: 'rw-wallet-e2e-key',
    env: { PROVISIONING_ATTEMPTS: '3', PROVISIONING_BACKOFF_MS: '300', SALE_SWEEP_INTERVAL_MS: '500' },
    join: { ownerTelegramId: owner.id, adminChatId: ADMIN_CHAT },
    wholesaleWallet: 1_000_000,
    // The reseller's set-up: limits on the wallet feature, the preset amounts, a plan and a card.
    arrange: async () => {
      await shop
        .api('put', `/v1/bots/${shop.botId}/features/wallet`)
        .send({ enabled: true, config: { minTopUpMinor: 50_000, maxTopUpMinor: 5_000_000 } })
        .expect(200);
      await shop
        .api('put', `/v1/bots/${shop.botId}/configurations/wallet_topup_presets`)
        .send({ value: [PRESET, 250_000, 1_000_000] })
        .expect(200);
      await shop.addPlan(MONTHLY_50_GB);
      await shop.addCard();
    },
  });
  const { q, api } = shop;
  /** The buyer's chat with the bot, and the admin chat as the owner acts in it. */
  let chat: BotChat;
  let admins: BotChat;
  beforeAll(() => {
    chat = new BotChat(shop.emu, shop.tg, buyer);
    admins = new BotChat(shop.emu, shop.tg, owner, { group: { id: ADMIN_CHAT, type: 'supergroup' } });
  });

  const userId = () => shop.userIdOf(buyer.id);
  const balance = async () =>
    Number(
      (await q(`SELECT balance_minor FROM users WHERE bot_id = $1 AND telegram_id = $2`, [shop.botId, buyer.id]))[0]
        .balance_minor,
    );
  const ledger = async () =>
    (await q(
      `SELECT type, amount_minor::int AS amount, idempotency_key AS key FROM transactions
        WHERE bot_id = $1 AND user_id = $2 ORDER BY created_at`,
      [shop.botId, await userId()],
    )) as { type: string; amount: number; key: string }[];

  /** The card screen of a top-up → a photo receipt → the review in the admin chat; returns the review message. */
  const receiptToReview = async (card: ChatMessage) => {
    expect(card.text).toMatch(/C2C-\d{6}-[2-9A-Z]{6}/);
    return chat.sendReceipt(admins);
  };

  it('a preset top-up paid card to card is reviewed in the admin chat and deposited once', async () => {
    chat.say('/wallet');
    const wallet = await chat.message(withButton('wt:t'));
    expect(wallet.text).toContain('Your wallet');
    expect(wallet.text).toContain('No movements yet');
    chat.press(wallet, 'wt:t');
    const amounts = await chat.message(withButton(`wt:m:${PRESET}`));
    chat.press(amounts, `wt:m:${PRESET}`);
    const methods = await chat.message(withButton(`wt:c:${PRESET}`));
    chat.press(methods, `wt:c:${PRESET}`);
    const card = await chat.message(has('C2C-'));
    expect(card.text).toContain('6037 9900 0000 0006');

    const review = await receiptToReview(card);
    expect(review.caption).toContain('Wallet top-up');
    // The tenant sees the receipt in the review queue like any other, marked as a top-up.
    const pending = await api('get', `/v1/bots/${shop.botId}/card-payments?status=pending`).expect(200);
    expect(pending.body.items).toEqual([
      expect.objectContaining({ purpose: 'topup', orderId: null, amountMinor: PRESET, status: 'pending' }),
    ]);
    const paymentId: string = pending.body.items[0].id;

    const before = chat.lastId();
    admins.press(review, 'rv:a:');
    const credited = await chat.next(before, has('topped up'));
    expect(credited.text).toContain('Balance');
    // The review message lost its buttons; a replayed press of Approve is refused and deposits nothing more.
    const replayed = await admins.tap(review, buttonData(review, 'rv:a:')!, { forged: true });
    expect(replayed.text).toContain('already reviewed');
    expect(await ledger()).toEqual([{ type: 'deposit', amount: PRESET, key: `card:${paymentId}:deposit` }]);
    expect(await balance()).toBe(PRESET);

    const shown = await chat.send('/wallet', withButton('wt:t'));
    expect(shown.text).toMatch(/Balance: IRR\s100,000/);
    expect(shown.text).toMatch(/Top-up · \+IRR\s100,000/);
    const history = await api('get', `/v1/bots/${shop.botId}/users/${await userId()}/top-ups`).expect(200);
    expect(history.body).toMatchObject({
      total: 1,
      items: [{ id: paymentId, method: 'card_to_card', amountMinor: PRESET, status: 'credited' }],
    });
  });

  it('a typed amount out of the limits is told and starts nothing; a valid one offers the methods', async () => {
    const rows = async () =>
      (await q(`SELECT count(*)::int n FROM card_to_card_payments WHERE bot_id = $1`, [shop.botId]))[0].n as number;
    const start = await rows();
    // This time through the main menu's Wallet button (shown while the wallet feature is on).
    const menu = await chat.send('/start', withButton('menu:wallet'));
    chat.press(menu, 'menu:wallet');
    const wallet = await chat.edited(menu.messageId, withButton('wt:t'));
    chat.press(wallet, 'wt:t');
    const amounts = await chat.edited(wallet.messageId, withButton('wt:o'));
    let mark = chat.lastId();
    chat.press(amounts, 'wt:o');
    const prompt = await chat.next(mark, has('Type the amount'));
    mark = prompt.messageId;
    chat.say('a lot', prompt.messageId);
    await chat.next(mark, has('That is not an amount'));
    mark = chat.lastId();
    chat.say('10', prompt.messageId);
    await chat.next(mark, has('The amount must be from'));
    mark = chat.lastId();
    chat.say('300,000', prompt.messageId);
    await chat.next(mark, withButton('wt:c:300000'));
    expect(await rows()).toBe(start);
  });

  it('an order the wallet cannot cover: top up the difference → asked → pay → the subscription link arrives', async () => {
    const have = await balance();
    const plans = await chat.send('/buy', withButton('s:p:'));
    chat.press(plans, 's:p:');
    const methods = await chat.edited(plans.messageId, withButton('wt:d:'));
    expect(methods.text).toContain('How would you like to pay');
    chat.press(methods, 'wt:d:');
    const lack = PRICE - have;
    const topUp = await chat.edited(plans.messageId, withButton(`wt:c:${lack}:`));
    chat.press(topUp, `wt:c:${lack}:`);
    const card = await chat.edited(plans.messageId, has('C2C-'));
    const review = await receiptToReview(card);

    const before = chat.lastId();
    admins.press(review, 'rv:a:');
    const asked = await chat.next(before, withButton('wt:p:'));
    expect(asked.text).toContain('Pay your order');
    expect(asked.text).toContain('Monthly 50 GB');
    // Asked, not paid: the order waits for the answer.
    const order = (
      await q(`SELECT id, status FROM orders WHERE bot_id = $1 AND user_id = $2`, [shop.botId, await userId()])
    )[0];
    expect(order.status).toBe('pending');
    expect(await balance()).toBe(PRICE);

    chat.press(asked, 'wt:p:');
    await chat.next(before, has('Paid from your wallet'));
    const delivered = await chat.next(before, (m) => m.method === 'sendPhoto', 30_000);
    const sub = (
      await q(`SELECT subscription_url FROM subscriptions WHERE bot_id = $1 AND user_id = $2`, [
        shop.botId,
        await userId(),
      ])
    )[0];
    expect(delivered.caption).toContain(sub.subscription_url);
    expect(await balance()).toBe(0);
    const moves = await ledger();
    expect(moves.map((m) => [m.type, m.amount])).toEqual([
      ['deposit', PRESET],
      ['deposit', lack],
      ['purchase', -PRICE],
    ]);
    const [forOrder] = await q(
      `SELECT for_order_id FROM card_to_card_payments WHERE bot_id = $1 AND amount_minor = $2`,
      [shop.botId, lack],
    );
    expect(forOrder.for_order_id).toBe(order.id);
  });
});
