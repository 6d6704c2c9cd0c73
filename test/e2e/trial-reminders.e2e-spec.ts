import { waitFor } from '@botfleet/testing';
import { BotChat, buttonData, has, withButton } from './support/bot-chat';
import { hostedShop } from './support/hosted-shop';

const PRICE = 1_000;
const DAY = 24 * 60 * 60 * 1000;

type Buyer = { id: number; first_name: string; language_code: string };

/**
 * The free trial, reminders and auto-renew end to end (issue 13 parts 3–6): a worker process hosts the bot against
 * the Telegram emulator and provisions on the Remnawave emulator; its growth scan runs every second on the real
 * clock. The shop is set up through the public API (a 1-day plan and auto-renew 3 days before the end, so the
 * reminders and the renewal are due at once); customers only do what they would do in Telegram.
 */
describe('trial, reminders and auto-renew in the bot', () => {
  jest.setTimeout(180_000);
  const shop = hostedShop({
    remnawaveKey: 'rw-trial-reminders-e2e-key',
    env: { PROVISIONING_ATTEMPTS: '3', PROVISIONING_BACKOFF_MS: '300', RETENTION_SCAN_INTERVAL_MS: '1000' },
    join: { ownerTelegramId: 920_001 },
    wholesaleWallet: 1_000_000,
    wholesalePrice: { perPlanMinor: 100, perGbMinor: 0, perDayMinor: 0, unlimitedTrafficGb: 0, trialMinor: 0 },
    arrange: async () => {
      const botId = shop.botId;
      const plan = (name: string, extra: Record<string, unknown>) =>
        shop.addPlan({ name: { en: name }, periodDays: 1, trafficLimitGb: 5, deviceLimit: 1, ...extra });
      await plan('Daily 5 GB', { priceMinor: PRICE });
      const trialPlan = await plan('Trial day', { priceMinor: 0, isTrial: true });
      await shop.api('put', `/v1/bots/${botId}/configurations/trial_plan_id`).send({ value: trialPlan }).expect(200);
      // The tenant's own texts: the welcome above the menu and the reminder before the end.
      await shop
        .api('put', `/v1/bots/${botId}/configurations/welcome_text`)
        .send({ value: { en: 'Welcome to <Fast VPN>!' } })
        .expect(200);
      await shop
        .api('put', `/v1/bots/${botId}/configurations/reminders`)
        .send({
          value: { expiryDays: [3, 1], texts: { expiring: { en: '⏰ {plan}: {days} day(s) left, renew below.' } } },
        })
        .expect(200);
      for (const key of ['wallet', 'trial_subscription']) {
        await shop.api('put', `/v1/bots/${botId}/features/${key}`).send({ enabled: true }).expect(200);
      }
      await shop
        .api('put', `/v1/bots/${botId}/features/auto_renewal`)
        .send({ enabled: true, config: { daysBefore: 3 } })
        .expect(200);
    },
  });
  let userSeq = 81_000;
  const newBuyer = (): Buyer => ({ id: ++userSeq, first_name: `Buyer${userSeq}`, language_code: 'en' });
  const { q } = shop;

  /** A new customer's chat with the shop's bot (the scans run every second: 20 s for what they send). */
  const newChat = () => new BotChat(shop.emu, shop.tg, newBuyer(), { timeoutMs: 20_000 });
  const subOf = async (uid: string) =>
    (await q(`SELECT id, expires_at, status, auto_renew FROM subscriptions WHERE user_id = $1 ORDER BY created_at`, [
      uid,
    ])) as { id: string; expires_at: Date; status: string; auto_renew: boolean }[];
  const balanceOf = async (uid: string) =>
    Number((await q(`SELECT COALESCE(SUM(amount_minor), 0)::text b FROM transactions WHERE user_id = $1`, [uid]))[0].b);
  const renewalsOf = async (subscriptionId: string) =>
    (await q(
      `SELECT status, payment_method, idempotency_key FROM orders WHERE subscription_id = $1 AND kind = 'renewal'`,
      [subscriptionId],
    )) as { status: string; payment_method: string; idempotency_key: string }[];

  /** /start, then the wallet credited by the tenant's REST API. */
  const customerWithBalance = async (chat: BotChat, amountMinor: number) => {
    await chat.send('/start', withButton('menu:'));
    const uid = await shop.userIdOf(chat.user.id);
    await shop.giveBalance(uid, amountMinor, `growth-e2e-${chat.user.id}`);
    return uid;
  };

  it('the menu offers the trial; it gives the link once, and /help lists the commands that are on', async () => {
    const chat = newChat();
    const from = chat.user;
    const menu = await chat.send('/start', withButton('menu:trial'));
    expect(menu.sourceText).toBe('Welcome to &lt;Fast VPN&gt;!');
    const accounts = shop.rw.accountCount();
    const before = chat.lastId();
    chat.press(menu, 'menu:trial');
    await chat.next(before, has('free trial Trial day is being prepared'));
    const link = await chat.next(before, (m) => m.method === 'sendPhoto', 30_000);
    const [sub] = await subOf(await shop.userIdOf(from.id));
    await waitFor(async () => (await subOf(await shop.userIdOf(from.id)))[0].status === 'active', 15_000);
    const url = (await q(`SELECT subscription_url FROM subscriptions WHERE id = $1`, [sub.id]))[0].subscription_url;
    expect(link.caption).toContain(url);
    expect(shop.rw.accountCount()).toBe(accounts + 1);

    await chat.send('/trial', has('already used the free trial'));
    expect(await q(`SELECT id FROM orders WHERE user_id = $1`, [await shop.userIdOf(from.id)])).toHaveLength(1);

    const help = await chat.send('/help', has('/start'));
    for (const line of ['/buy', '/subs', '/wallet', '/trial', '/lang', '/help']) expect(help.text).toContain(line);
  });

  it('the reminder before the end carries Renew; the renewal is paid from the wallet', async () => {
    const chat = newChat();
    const uid = await customerWithBalance(chat, 2 * PRICE);
    await chat.buyFromWallet();
    const [sub] = await subOf(uid);
    await waitFor(async () => (await subOf(uid))[0].status === 'active', 15_000);
    const end = (await subOf(uid))[0].expires_at.getTime();
    // The 1-day plan is due for its reminder (the tenant's text) at the next scan.
    const reminder = await chat.next(0, (m) => /Daily 5 GB: \d day\(s\) left, renew below/.test(m.text ?? ''), 20_000);
    expect(buttonData(reminder, 's:r:')).toBeDefined();
    chat.press(reminder, 's:r:');
    // The payment screen replaces the reminder (the message the button was under) or follows it.
    const methods = await chat.next(reminder.messageId - 1, withButton('s:w:'));
    chat.press(methods, 's:w:');
    await waitFor(async () => (await renewalsOf(sub.id)).some((o) => o.status === 'fulfilled'), 30_000);
    expect(await balanceOf(uid)).toBe(0);
    await waitFor(async () => (await subOf(uid))[0].expires_at.getTime() === end + DAY, 15_000);
    // One reminder for that period, however many scans ran meanwhile.
    const sent = await q(
      `SELECT dedupe_key FROM sent_notifications WHERE subscription_id = $1 AND dedupe_key LIKE $2`,
      [sub.id, `reminder:expiring:%:${end}`],
    );
    expect(sent).toHaveLength(1);
  });

  it('auto-renew turned on in /subs renews from the wallet once', async () => {
    const chat = newChat();
    const uid = await customerWithBalance(chat, 2 * PRICE);
    await chat.buyFromWallet();
    await waitFor(async () => (await subOf(uid))[0].status === 'active', 15_000);
    const [sub] = await subOf(uid);
    const end = sub.expires_at.getTime();
    const subs = await chat.send('/subs', withButton('ar:1:'));
    const before = chat.lastId();
    chat.press(subs, 'ar:1:');
    const toggled = await chat.next(0, withButton('ar:0:'));
    expect(toggled.text).toContain('Auto-renew: on');
    await waitFor(async () => (await renewalsOf(sub.id)).some((o) => o.status === 'fulfilled'), 30_000);
    const renewals = await renewalsOf(sub.id);
    expect(renewals).toHaveLength(1);
    expect(renewals[0]).toMatchObject({ payment_method: 'wallet' });
    expect(renewals[0].idempotency_key).toBe(`autorenew:${sub.id}:${end}`);
    expect(await balanceOf(uid)).toBe(0);
    await waitFor(async () => (await subOf(uid))[0].expires_at.getTime() === end + DAY, 15_000);
    // The next period (2 days left) is due too (daysBefore 3): the wallet is empty, so a top-up notice, no order.
    const short = await chat.next(before, has('Auto-renew could not renew'), 20_000);
    expect(buttonData(short, 'wt:m:')).toBe(`wt:m:${PRICE}`);
    expect(await renewalsOf(sub.id)).toHaveLength(1);
    expect(await balanceOf(uid)).toBe(0);
  });
});
