import { panelUsername } from '@botfleet/provisioning';
import { CryptoPayApp, waitFor } from '@botfleet/testing';
import { BotChat, buttonsOf, has } from './support/bot-chat';
import { hostedShop } from './support/hosted-shop';

const PRICE = 500_000;
const STARS = 250;
/** Wholesale: 1,000 per plan + 100 per GB × 10 GB. */
const WHOLESALE = 1_000 + 100 * 10;

type Buyer = { id: number; first_name: string; language_code: string };

/**
 * Telegram Stars and CryptoBot end to end (issue 12): a worker process hosts the bot against the Telegram emulator,
 * the API runs in this process and listens (Crypto Pay's webhooks reach it over HTTP), provisioning talks to the
 * Remnawave emulator and CryptoBot to the Crypto Pay emulator. The shop is set up through the public API; buyers
 * only do what they would do in Telegram.
 */
describe('Telegram Stars and CryptoBot: pay in the bot, get the link; replays, forgeries, refunds', () => {
  jest.setTimeout(180_000);
  let cpApp: CryptoPayApp;
  let planId: string;
  const owner = { id: 910_001, first_name: 'Owner', language_code: 'en' };
  const shop = hostedShop({
    api: 'listening',
    remnawaveKey: 'rw-stars-cryptobot-e2e-key',
    cryptoPay: true,
    env: {
      PROVISIONING_ATTEMPTS: '3',
      PROVISIONING_BACKOFF_MS: '300',
      SALE_SWEEP_INTERVAL_MS: '500',
      GATEWAY_RECONCILE_INTERVAL_MS: '1000',
    },
    join: { ownerTelegramId: owner.id },
    wholesaleWallet: 1_000_000,
    wholesalePrice: { perPlanMinor: 1000, perGbMinor: 100, perDayMinor: 0, unlimitedTrafficGb: 0 },
    arrange: async () => {
      const { botId, cp, apiUrl } = shop;
      planId = await shop.addPlan({
        name: { en: 'Monthly 10 GB' },
        periodDays: 30,
        priceMinor: PRICE,
        priceStars: STARS,
        trafficLimitGb: 10,
        deviceLimit: 1,
      });
      await shop.api('put', `/v1/bots/${botId}/features/telegram_stars`).send({ enabled: true }).expect(200);
      // CryptoBot: the operator allows it; the reseller puts the Crypto Pay app's token and registers our webhook.
      cpApp = cp.createApp('Shop');
      await shop
        .master('put', `/v1/admin/bots/${botId}/features/cryptobot/allowed`)
        .send({ allowed: true })
        .expect(200);
      const feature = await shop
        .api('put', `/v1/bots/${botId}/features/cryptobot`)
        .send({ enabled: true, config: { apiToken: cpApp.token, fiat: 'USD', minorPerFiatUnit: 100_000 } })
        .expect(200);
      expect(JSON.stringify(feature.body)).not.toContain(cpApp.token);
      cp.setWebhook(cpApp.token, `${apiUrl}/payments/cryptobot/webhook/${botId}`);
    },
  });
  const { q, emu } = shop;
  let userSeq = 70_000;
  const newBuyer = (): Buyer => ({ id: ++userSeq, first_name: `Buyer${userSeq}`, language_code: 'en' });

  const chatOf = (from: Buyer) => new BotChat(emu, shop.tg, from);

  /** /buy → the plan → the gateway's button on the payment screen. Returns the message the bot answered with. */
  const pickGateway = async (from: Buyer, method: 'stars' | 'cryptobot') => {
    const chat = chatOf(from);
    const before = chat.lastId();
    chat.press(await chat.buy(`pg:${method}:`), `pg:${method}:`);
    if (method === 'stars') return chat.next(before, (m) => m.method === 'sendInvoice');
    return chat.next(before, (m) =>
      buttonsOf(m).some((b) => (b as { url?: string }).url?.startsWith('https://t.me/CryptoBot')),
    );
  };

  const paymentsOf = async (uid: string) =>
    (await q(`SELECT * FROM gateway_payments WHERE bot_id = $1 AND user_id = $2 ORDER BY created_at`, [
      shop.botId,
      uid,
    ])) as {
      id: string;
      order_id: string;
      status: string;
      external_id: string | null;
      credited_to: string | null;
    }[];
  const orderOf = async (orderId: string) =>
    (await q(`SELECT * FROM orders WHERE id = $1`, [orderId]))[0] as {
      status: string;
      payment_method: string;
      subscription_id: string;
    };
  const ledgerCount = async (uid: string) =>
    (await q(`SELECT count(*)::int n FROM transactions WHERE user_id = $1`, [uid]))[0].n as number;
  const wholesaleKeys = async (orderId: string) =>
    (
      (await q(`SELECT idempotency_key k FROM tenant_wallet_ledger WHERE bot_id = $1 AND reference = $2`, [
        shop.botId,
        `order:${orderId}`,
      ])) as { k: string }[]
    ).map((r) => r.k.split(':')[2]);
  const accountOf = (subscriptionId: string) =>
    shop.rw.accounts().filter((a) => a.username === panelUsername(subscriptionId, 'remnawave'));

  /** A buyer pays a plan with Stars through the bot and receives the link; returns their ids and the charge. */
  const buyWithStars = async (from: Buyer) => {
    const invoice = await pickGateway(from, 'stars');
    expect(invoice.invoice).toMatchObject({ currency: 'XTR', totalAmount: STARS });
    const chat = chatOf(from);
    const paid = await chat.payInvoice(invoice);
    expect(paid.answer.ok).toBe(true);
    await chat.message(has('Stars payment received'));
    const delivered = await chat.message((m) => m.method === 'sendPhoto', 30_000);
    const uid = await shop.userIdOf(from.id);
    const [payment] = await paymentsOf(uid);
    await waitFor(async () => (await orderOf(payment.order_id)).status === 'fulfilled', 15_000);
    return { uid, payment, chargeId: paid.payment!.telegramPaymentChargeId, invoice, delivered };
  };

  describe('Telegram Stars', () => {
    let first: Awaited<ReturnType<typeof buyWithStars>>;
    const buyer = newBuyer();

    it('a customer pays a plan with Stars in the bot and gets the subscription link, once', async () => {
      const wholesaleBefore = (await q(`SELECT wallet_balance_minor::int b FROM bots WHERE id = $1`, [shop.botId]))[0]
        .b;
      first = await buyWithStars(buyer);
      const order = await orderOf(first.payment.order_id);
      expect(order).toMatchObject({ status: 'fulfilled', payment_method: 'stars' });
      const sub = (await q(`SELECT subscription_url FROM subscriptions WHERE id = $1`, [order.subscription_id]))[0];
      expect(first.delivered.caption).toContain(sub.subscription_url);
      expect(accountOf(order.subscription_id)).toHaveLength(1);
      expect(first.payment).toMatchObject({ status: 'paid', external_id: first.chargeId, credited_to: 'order' });
      expect(await ledgerCount(first.uid)).toBe(0);
      const wholesaleAfter = (await q(`SELECT wallet_balance_minor::int b FROM bots WHERE id = $1`, [shop.botId]))[0].b;
      expect(wholesaleBefore - wholesaleAfter).toBe(WHOLESALE);
    });

    it('the same successful_payment delivered 20 times at once credits once', async () => {
      const copies = Array.from({ length: 20 }, () => chatOf(buyer).replayPayment(first.invoice, first.chargeId));
      const last = Math.max(...copies.map((c) => c.updateId ?? 0));
      await emu.waitForUpdatesConsumed(shop.tg.id, 20_000);
      await waitFor(async () => {
        const done = await q(`SELECT count(*)::int n FROM processed_updates WHERE bot_id = $1 AND update_id >= $2`, [
          shop.botId,
          last,
        ]);
        return done[0].n >= 1;
      }, 20_000);
      const payments = await paymentsOf(first.uid);
      expect(payments).toHaveLength(1);
      expect(payments[0]).toMatchObject({ status: 'paid', external_id: first.chargeId });
      expect((await q(`SELECT count(*)::int n FROM orders WHERE user_id = $1`, [first.uid]))[0].n).toBe(1);
      expect(await ledgerCount(first.uid)).toBe(0);
      expect(accountOf((await orderOf(first.payment.order_id)).subscription_id)).toHaveLength(1);
      expect(await wholesaleKeys(first.payment.order_id)).toEqual(expect.not.arrayContaining(['wholesale-refund']));
    });

    it('pre-checkout is refused when the price changed or the payment expired; nothing is paid', async () => {
      const changed = newBuyer();
      const invoice = await pickGateway(changed, 'stars');
      await shop
        .api('patch', `/v1/bots/${shop.botId}/plans/${planId}`)
        .send({ priceStars: STARS + 50 })
        .expect(200);
      try {
        const r = await chatOf(changed).payInvoice(invoice);
        expect(r.answer.ok).toBe(false);
        expect(r.answer.errorMessage).toContain('price of this plan has changed');
        expect(r.payment).toBeUndefined();
      } finally {
        await shop.api('patch', `/v1/bots/${shop.botId}/plans/${planId}`).send({ priceStars: STARS }).expect(200);
      }

      const late = newBuyer();
      const lateInvoice = await pickGateway(late, 'stars');
      const [open] = await paymentsOf(await shop.userIdOf(late.id));
      // The deadline passes (written by hand: time the product cannot make pass in a test).
      await q(`UPDATE gateway_payments SET expires_at = now() - interval '1 minute' WHERE id = $1`, [open.id]);
      const r = await chatOf(late).payInvoice(lateInvoice);
      expect(r.answer.ok).toBe(false);
      expect(r.answer.errorMessage).toContain('can no longer be paid');
      expect((await orderOf(open.order_id)).status).toBe('pending');
    });

    it('REST refund: refundStarPayment once, order refunded, wholesale reversed, subscription disabled', async () => {
      const path = `/v1/bots/${shop.botId}/stars-payments/${first.payment.id}/refund`;
      const answers = await Promise.all([1, 2, 3].map(() => shop.api('post', path).send()));
      for (const a of answers) expect(a.status).toBe(200);
      expect(answers[0].body).toMatchObject({ id: first.payment.id, status: 'refunded', amountStars: STARS });
      expect(emu.getRefunds(shop.tg.id).filter((r) => r.telegramPaymentChargeId === first.chargeId)).toHaveLength(1);
      const order = await orderOf(first.payment.order_id);
      expect(order.status).toBe('refunded');
      expect((await wholesaleKeys(first.payment.order_id)).filter((k) => k === 'wholesale-refund')).toHaveLength(1);
      await waitFor(() => accountOf(order.subscription_id)[0]?.enabled === false, 20_000);
      // Another tenant's token or an unknown id: 404, nothing happens.
      await shop
        .api('post', `/v1/bots/${shop.botId}/stars-payments/00000000-0000-4000-8000-000000000000/refund`)
        .send()
        .expect(404);
    });

    it('a refunded_payment update from Telegram does the same, once', async () => {
      const second = await buyWithStars(newBuyer());
      const who = { id: Number((await q(`SELECT telegram_id FROM users WHERE id = $1`, [second.uid]))[0].telegram_id) };
      for (let i = 0; i < 3; i++) new BotChat(emu, shop.tg, who).refunded(second.chargeId);
      await waitFor(async () => (await paymentsOf(second.uid))[0].status === 'refunded', 20_000);
      const order = await orderOf(second.payment.order_id);
      expect(order.status).toBe('refunded');
      expect((await wholesaleKeys(second.payment.order_id)).filter((k) => k === 'wholesale-refund')).toHaveLength(1);
      // Telegram refunded it itself; our refundStarPayment was told "already refunded" and nothing else happened.
      expect(emu.getRefunds(shop.tg.id).filter((r) => r.telegramPaymentChargeId === second.chargeId)).toHaveLength(1);
      await waitFor(() => accountOf(order.subscription_id)[0]?.enabled === false, 20_000);
    });

    it('a refunded_payment while the order is still being provisioned is applied once the order settles', async () => {
      const buyer = newBuyer();
      const invoice = await pickGateway(buyer, 'stars');
      // Every panel answer takes 4 s: the paid order stays `fulfilling` while Telegram's refund arrives.
      shop.rw.slow(4_000);
      let uid: string;
      let payment: Awaited<ReturnType<typeof paymentsOf>>[number];
      let chargeId: string;
      try {
        const paid = await chatOf(buyer).payInvoice(invoice);
        expect(paid.answer.ok).toBe(true);
        chargeId = paid.payment!.telegramPaymentChargeId;
        uid = await shop.userIdOf(buyer.id);
        await waitFor(async () => (await paymentsOf(uid))[0]?.status === 'paid', 15_000);
        [payment] = await paymentsOf(uid);
        await waitFor(async () => (await orderOf(payment.order_id)).status === 'fulfilling', 5_000);
        const { updateId } = chatOf(buyer).refunded(chargeId);
        await waitFor(
          async () =>
            (await q(`SELECT 1 FROM processed_updates WHERE bot_id = $1 AND update_id = $2`, [shop.botId, updateId]))
              .length > 0,
          15_000,
        );
        // Refused for now (the panel has not answered): nothing reversed yet.
        expect((await orderOf(payment.order_id)).status).toBe('fulfilling');
        expect((await paymentsOf(uid))[0].status).toBe('paid');
      } finally {
        shop.rw.slow(0);
      }
      await waitFor(async () => (await paymentsOf(uid))[0].status === 'refunded', 60_000);
      const order = await orderOf(payment.order_id);
      expect(order.status).toBe('refunded');
      expect((await wholesaleKeys(payment.order_id)).filter((k) => k === 'wholesale-refund')).toHaveLength(1);
      expect(emu.getRefunds(shop.tg.id).filter((r) => r.telegramPaymentChargeId === chargeId)).toHaveLength(1);
      await waitFor(() => accountOf(order.subscription_id)[0]?.enabled === false, 20_000);
      expect(await ledgerCount(uid)).toBe(0);
    });

    it('a refund of Stars credited to the wallet and already spent tells the owner once; nothing else changes', async () => {
      const buyer = newBuyer();
      const chat = chatOf(buyer);
      const invoice = await pickGateway(buyer, 'stars');
      // The panel is down: provisioning fails for good and the order's money goes to the buyer's wallet.
      await shop.rw.down();
      let uid: string;
      let chargeId: string;
      let first: Awaited<ReturnType<typeof paymentsOf>>[number];
      try {
        const paid = await chat.payInvoice(invoice);
        expect(paid.answer.ok).toBe(true);
        chargeId = paid.payment!.telegramPaymentChargeId;
        uid = await shop.userIdOf(buyer.id);
        await waitFor(async () => (await paymentsOf(uid))[0]?.status === 'paid', 15_000);
        [first] = await paymentsOf(uid);
        await waitFor(async () => (await orderOf(first.order_id)).status === 'refunded', 30_000);
      } finally {
        await shop.rw.up();
      }
      const balance = async () =>
        (await q(`SELECT balance_minor::int b FROM users WHERE id = $1`, [uid]))[0].b as number;
      expect(await balance()).toBe(PRICE);
      // The buyer spends it on a plan paid from the wallet.
      await chat.buyFromWallet();
      expect(await balance()).toBe(0);
      const orders = async () =>
        (await q(`SELECT id, status FROM orders WHERE user_id = $1 ORDER BY created_at`, [uid])) as {
          id: string;
          status: string;
        }[];
      const spent = (await orders())[1];
      await waitFor(async () => (await orderOf(spent.id)).status === 'fulfilled', 15_000);
      const snapshot = async () => ({
        payments: (await paymentsOf(uid)).map((p) => p.status),
        orders: await orders(),
        balance: await balance(),
        ledger: await ledgerCount(uid),
        wholesale: (await q(`SELECT wallet_balance_minor::int b FROM bots WHERE id = $1`, [shop.botId]))[0].b,
        enabled: accountOf((await orderOf(spent.id)).subscription_id).map((a) => a.enabled),
      });
      const was = await snapshot();
      expect(was.payments).toEqual(['paid']);
      expect(was.enabled).toEqual([true]);

      const alert = 'could not be applied here';
      const ownerChat = chatOf(owner);
      expect(ownerChat.messages().filter(has(alert))).toHaveLength(0);
      const updates = [1, 2, 3].map(() => chat.refunded(chargeId).updateId);
      const told = await ownerChat.message(has(alert), 20_000);
      expect(told.text).toContain(String(buyer.id));
      expect(told.text).toContain(`${STARS} ⭐`);
      expect(told.text).toContain(first.order_id);
      expect(told.text).toContain('already spent');
      await waitFor(
        async () =>
          (
            await q(`SELECT count(*)::int n FROM processed_updates WHERE bot_id = $1 AND update_id = ANY($2)`, [
              shop.botId,
              updates,
            ])
          )[0].n === 3,
        20_000,
      );
      // Time for any further alert to arrive (notices are sent within a second here).
      await new Promise((r) => setTimeout(r, 2_000));
      expect(ownerChat.messages().filter(has(alert))).toHaveLength(1);
      expect(await snapshot()).toEqual(was);
    });
  });

  describe('CryptoBot', () => {
    const latestInvoice = () => shop.cp.invoices(cpApp.token).sort((a, b) => b.invoice_id - a.invoice_id)[0];
    const post = (body: string, signature: string) =>
      fetch(`${shop.apiUrl}/payments/cryptobot/webhook/${shop.botId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'crypto-pay-api-signature': signature },
        body,
      });

    it('a customer pays with CryptoBot (webhook) and gets the link; 20 identical webhooks credit once', async () => {
      const buyer = newBuyer();
      const link = await pickGateway(buyer, 'cryptobot');
      const invoice = latestInvoice();
      expect(buttonsOf(link).some((b) => (b as { url?: string }).url === invoice.bot_invoice_url)).toBe(true);
      expect(invoice).toMatchObject({ fiat: 'USD', amount: '5.00', status: 'active' });
      const { delivery } = await shop.cp.payInvoice(invoice.invoice_id);
      expect(delivery?.status).toBe(200);
      await chatOf(buyer).message((m) => m.method === 'sendPhoto', 30_000);
      const uid = await shop.userIdOf(buyer.id);
      const [payment] = await paymentsOf(uid);
      expect(payment).toMatchObject({ status: 'paid', external_id: String(invoice.invoice_id), credited_to: 'order' });
      await waitFor(async () => (await orderOf(payment.order_id)).status === 'fulfilled', 15_000);

      const again = await Promise.all(Array.from({ length: 20 }, () => shop.cp.deliver(invoice.invoice_id)));
      expect(again.map((d) => d.status)).toEqual(Array(20).fill(200));
      expect(await paymentsOf(uid)).toHaveLength(1);
      expect((await q(`SELECT count(*)::int n FROM orders WHERE user_id = $1`, [uid]))[0].n).toBe(1);
      expect(await ledgerCount(uid)).toBe(0);
      const order = await orderOf(payment.order_id);
      expect(order).toMatchObject({ status: 'fulfilled', payment_method: 'cryptobot' });
      expect(accountOf(order.subscription_id)).toHaveLength(1);
    });

    it("a forged signature or another app's token: 401 and no change", async () => {
      const buyer = newBuyer();
      await pickGateway(buyer, 'cryptobot');
      const invoice = latestInvoice();
      // The invoice is NOT paid: every webhook below claims it is.
      const other = shop.cp.createApp('Someone else');
      const byOther = shop.cp.signedUpdate(invoice.invoice_id, other.token, { claimPaid: true });
      expect((await post(byOther.body, byOther.headers['crypto-pay-api-signature'])).status).toBe(401);
      const genuine = shop.cp.signedUpdate(invoice.invoice_id, undefined, { claimPaid: true });
      expect((await post(genuine.body, 'f'.repeat(64))).status).toBe(401);
      expect(
        (await post(genuine.body.replace('"paid"', '"paid" '), genuine.headers['crypto-pay-api-signature'])).status,
      ).toBe(401);
      expect(
        (
          await fetch(`${shop.apiUrl}/payments/cryptobot/webhook/00000000-0000-4000-8000-000000000000`, {
            method: 'POST',
            headers: genuine.headers,
            body: genuine.body,
          })
        ).status,
      ).toBe(401);
      // Even signed with the right token, a claim Crypto Pay does not confirm (getInvoices: active) pays nothing.
      expect((await post(genuine.body, genuine.headers['crypto-pay-api-signature'])).status).toBe(200);
      const [payment] = await paymentsOf(await shop.userIdOf(buyer.id));
      expect(payment.status).toBe('pending');
      expect((await orderOf(payment.order_id)).status).toBe('pending');
      expect(await ledgerCount(await shop.userIdOf(buyer.id))).toBe(0);
    });

    it('paid while the webhook could not reach us (API down): the reconciler pays the order once', async () => {
      const buyer = newBuyer();
      await pickGateway(buyer, 'cryptobot');
      const invoice = latestInvoice();
      shop.cp.setWebhook(cpApp.token, 'http://127.0.0.1:1/payments/cryptobot/webhook/down');
      try {
        const { delivery } = await shop.cp.payInvoice(invoice.invoice_id);
        expect(delivery?.status).toBe(0);
      } finally {
        shop.cp.setWebhook(cpApp.token, `${shop.apiUrl}/payments/cryptobot/webhook/${shop.botId}`);
      }
      await chatOf(buyer).message((m) => m.method === 'sendPhoto', 30_000);
      const uid = await shop.userIdOf(buyer.id);
      const [payment] = await paymentsOf(uid);
      expect(payment).toMatchObject({ status: 'paid', credited_to: 'order' });
      // The webhook Crypto Pay retries later changes nothing.
      expect((await shop.cp.deliver(invoice.invoice_id)).status).toBe(200);
      expect(await paymentsOf(uid)).toHaveLength(1);
      expect(await ledgerCount(uid)).toBe(0);
    });

    it('an invoice that expires at Crypto Pay expires the payment', async () => {
      const buyer = newBuyer();
      await pickGateway(buyer, 'cryptobot');
      const invoice = latestInvoice();
      shop.cp.expireInvoice(invoice.invoice_id);
      const uid = await shop.userIdOf(buyer.id);
      await waitFor(async () => (await paymentsOf(uid))[0].status === 'expired', 20_000);
      expect(await ledgerCount(uid)).toBe(0);
    });
  });
});
