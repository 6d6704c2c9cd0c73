import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { JobName, QueueName } from '@botfleet/jobs';
import { MasterCallbackData } from '@botfleet/telegram';
import {
  AppProcess,
  createTestEnv,
  EmulatedBot,
  freePort,
  platformOf,
  REMNAWAVE_DEFAULT_SQUAD_UUID,
  RemnawaveEmulator,
  spawnApp,
  TelegramEmulator,
  TestEnv,
  testRedisUrl,
  waitFor,
} from '@botfleet/testing';
import { BotChat, buttonsOf, ChatMessage, QUICK_BOT_LEASES } from './support/bot-chat';
import { HostedTenant, PublicApi } from './support/public-api';

/**
 * The operator's master bot end to end: a spawned worker hosts the master bot and the tenants' bots on the
 * Telegram emulator; the operator (MASTER_ADMIN_TELEGRAM_IDS) drives the console with commands, typed answers
 * and buttons; a stranger gets the ordinary shop and their forged `ms:` taps change nothing. Alerts: two
 * workers scanning every half second tell the operator of a low wallet once.
 */
describe('master bot: the operator console and alerts', () => {
  const emu = new TelegramEmulator();
  const OP = 515_151;
  const op = { id: OP, first_name: 'Operator', language_code: 'en' };
  let env: TestEnv;
  let worker: AppProcess | undefined;
  const extraWorkers: AppProcess[] = [];
  let platform: DataSource;
  let api: PublicApi;
  let master: EmulatedBot;
  let rw: RemnawaveEmulator;
  let userSeq = 40_000;
  const user = () => ({ id: ++userSeq, first_name: `U${userSeq}`, language_code: 'en' });

  /** A person's chat with a bot (the master bot unless told), waits of 10 s. */
  const chatWith = (who: { id: number; first_name: string }, bot: { id: number } = master) =>
    new BotChat(emu, bot, who, { timeoutMs: 10_000 });
  /** The operator's chat with the master bot. */
  let operator: BotChat;
  const botMsgs = (): ChatMessage[] => operator.messages();
  const current = (messageId: number): ChatMessage => botMsgs().find((m) => m.messageId === messageId)!;

  /** The operator types `text`; resolves with the bot's next new message. */
  const send = (text: string): Promise<ChatMessage> => operator.send(text);

  /** The operator taps `data` on `msg`; resolves with the callback's answer and the message as edited (if it was). */
  async function tap(msg: ChatMessage, data: string, expectEdit = true) {
    const before = current(msg.messageId).editCount;
    const answer = await operator.tap(msg, data);
    const screen = expectEdit
      ? await waitFor(() => {
          const m = current(msg.messageId);
          return m.editCount > before ? m : undefined;
        }, 10_000)
      : current(msg.messageId);
    return { answer, screen };
  }

  const bot = async (id: string) =>
    (
      await platform.query(
        `SELECT status, wallet_balance_minor::text AS balance,
                (SELECT count(*)::int FROM tenant_wallet_ledger l WHERE l.bot_id = b.id AND l.type = 'top_up') AS top_ups
           FROM bots b WHERE id = $1`,
        [id],
      )
    )[0] as { status: string; balance: string; top_ups: number };

  let shopTg: EmulatedBot;
  let shop: HostedTenant;
  const OWNER = 616_161;

  beforeAll(async () => {
    const url = await emu.listen(0);
    master = emu.createBot({ username: 'fleet_master_bot', firstName: 'Fleet' });
    operator = chatWith(op);
    env = await createTestEnv({
      TELEGRAM_API_ROOT: url,
      MASTER_BOT_TOKEN: master.token,
      MASTER_ADMIN_TELEGRAM_IDS: String(OP),
      ...QUICK_BOT_LEASES,
      BOT_SETTINGS_CACHE_MS: '500',
      WORKER_HTTP_PORT: String(await freePort()),
      OPERATOR_ALERT_INTERVAL_MS: '0',
      OPERATOR_WALLET_ALERT_MINOR: '100000',
      TRAFFIC_SYNC_INTERVAL_MS: '0',
      ...(process.env.SHOW_WORKER_OUTPUT ? { LOG_LEVEL: 'info' } : {}),
    });
    platform = await platformOf(env);
    api = await PublicApi.start(env);
    rw = new RemnawaveEmulator({ apiKey: 'rw-key' });
    await rw.start();
    shopTg = emu.createBot({ username: 'night_owl_vpn_bot' });
    shop = await api.registerBot(shopTg, { name: 'Night <Owl> VPN', ownerTelegramId: OWNER });
    worker = spawnApp('worker', env.vars);
    await emu.waitForPolling(master.id, 20_000);
    await emu.waitForPolling(shopTg.id, 20_000);
  }, 60_000);

  afterAll(async () => {
    if (process.env.SHOW_WORKER_OUTPUT) console.log(worker?.output().slice(-8000));
    await Promise.all([worker?.stop(), ...extraWorkers.map((w) => w.stop())]);
    await api?.close();
    await rw?.stop();
    await emu.close();
    await env?.cleanup();
  });

  it('/help shows the operator their commands; the tenants list, search and card', async () => {
    const help = await send('/help');
    expect(help.text).toContain('Operator console');
    expect(help.text).toContain('/tenants');
    expect(help.text).toContain('/invites');

    const other = await api.registerBot(emu.createBot({ username: 'other_corner_bot' }), { name: 'Corner shop' });
    const list = await send('/tenants');
    expect(list.text).toMatch(/Tenants \(2\)/);
    const labels = buttonsOf(list).map((b) => b.text);
    expect(labels.some((l) => l.includes('Night <Owl> VPN') && l.includes('@night_owl_vpn_bot'))).toBe(true);
    expect(labels.some((l) => l.includes('Corner shop'))).toBe(true);

    // Search by @username, by the owner's Telegram id, and by the bot id: only that tenant.
    for (const q of ['@other_corner', String(OWNER), shop.id]) {
      const found = await send(`/tenants ${q}`);
      expect(found.text).toMatch(/Tenants \(1\)/);
      const cards = buttonsOf(found).filter((b) => b.callback_data?.startsWith('ms:t:'));
      expect(cards).toHaveLength(1);
      expect(cards[0].callback_data).toBe(MasterCallbackData.card(q === '@other_corner' ? other.id : shop.id));
    }

    const found = await send('/tenants night');
    const { screen: card } = await tap(found, MasterCallbackData.card(shop.id));
    expect(card.sourceText).toContain('Night &lt;Owl&gt; VPN');
    expect(card.text).toContain('Status: 🟢 active');
    expect(card.text).toContain(`Owner: ${OWNER}`);
    expect(card.text).toMatch(/Wallet: .* free, .* held/);
    expect(card.text).toMatch(/Traffic: .* sold, .* used/);
    expect(card.text).toContain('Last activity: never');
  }, 60_000);

  it('suspend asks a reason and a confirm: the bot stops within 2 s and the owner reads why; resume', async () => {
    const card = await send(`/tenants ${shop.id}`);
    const { screen } = await tap(card, MasterCallbackData.card(shop.id));
    const { screen: ask } = await tap(screen, MasterCallbackData.suspendAsk(shop.id));
    expect(ask.text).toContain('Why is Night <Owl> VPN being suspended?');
    const confirm = await send('Unpaid <b>invoices</b>');
    expect(confirm.sourceText).toContain('Unpaid &lt;b&gt;invoices&lt;/b&gt;');
    expect((await bot(shop.id)).status).toBe('active'); // nothing happens before the confirm tap

    const t0 = Date.now();
    const { screen: done } = await tap(confirm, MasterCallbackData.suspendConfirm(shop.id));
    expect(done.text).toContain('is suspended');
    await waitFor(async () => (await emu.getBotStats(shopTg.id)).activePollers === 0, 2_000);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect((await bot(shop.id)).status).toBe('suspended');
    const ownerChat = chatWith({ id: OWNER, first_name: 'Owner' }, shopTg);
    const told = await ownerChat.message((m) => !!m.text?.includes('has been suspended'));
    expect(told.sourceText).toContain('Unpaid &lt;b&gt;invoices&lt;/b&gt;');

    const customer = chatWith(user(), shopTg);
    customer.say('/start');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(customer.messages()).toHaveLength(0);

    // A second confirm tap (a client that still shows the old keyboard): already suspended, no second notice.
    const again = await operator.tap(confirm, MasterCallbackData.suspendConfirm(shop.id), { forged: true });
    expect(again.showAlert).toBe(true);

    const { screen: card2 } = await tap(done, MasterCallbackData.card(shop.id));
    expect(card2.text).toContain('Status: ⛔️ suspended');
    const { screen: resumeAsk } = await tap(card2, MasterCallbackData.resumeAsk(shop.id));
    const { screen: resumed } = await tap(resumeAsk, MasterCallbackData.resumeConfirm(shop.id));
    expect(resumed.text).toContain('is active again');
    // The /start sent while suspended waited at Telegram and is answered now; the owner is told.
    await emu.waitForMessages(shopTg.id, customer.user.id, 1, 5_000);
    await ownerChat.message((m) => !!m.text?.includes('is active again'));
    expect(ownerChat.messages().filter((m) => m.text?.includes('has been suspended'))).toHaveLength(1);
  }, 60_000);

  it('a wallet top-up is typed, confirmed, and credited once however often the confirm is tapped', async () => {
    const before = await bot(shop.id);
    const card = await send(`/tenants ${shop.id}`);
    const { screen } = await tap(card, MasterCallbackData.card(shop.id));
    await tap(screen, MasterCallbackData.topUpAsk(shop.id));
    expect((await send('12x')).text).toContain('Send a positive amount');
    const confirm = await send('250 000');
    const yes = operator.data(confirm, 'ms:tc:');
    expect(yes).toMatch(/^ms:tc:[\w-]{22}:250000:[\w-]{12}$/);
    // Two taps at once, then a third: one ledger row, one credit.
    const answers = await Promise.all([0, 1].map(() => operator.tap(confirm, yes)));
    // The third comes from a client still showing the confirm button (the screen was replaced meanwhile).
    answers.push(await operator.tap(confirm, yes, { forged: true }));
    expect(answers.filter((a) => a.text?.includes('already made'))).toHaveLength(2);
    const after = await bot(shop.id);
    expect(Number(after.balance) - Number(before.balance)).toBe(250_000);
    expect(after.top_ups - before.top_ups).toBe(1);
    expect(current(confirm.messageId).text).toContain('added to the wallet');
  }, 60_000);

  it('a wallet adjustment is typed with a note, confirmed with the balance after, and applied once', async () => {
    await api
      .as(api.master, 'post', `/v1/admin/bots/${shop.id}/wallet/top-ups`)
      .set('Idempotency-Key', 'e2e-adjust-seed')
      .send({ amountMinor: 300_000, note: 'seed' })
      .expect(201);
    const before = await bot(shop.id);
    const adjustments = async () =>
      (await platform.query(
        `SELECT amount_minor::int AS amount, note FROM tenant_wallet_ledger WHERE bot_id = $1 AND type = 'adjustment'`,
        [shop.id],
      )) as { amount: number; note: string }[];
    const card = await send(`/tenants ${shop.id}`);
    const { screen } = await tap(card, MasterCallbackData.card(shop.id));
    expect(operator.data(screen, 'ms:aj:')).toBe(MasterCallbackData.adjustAsk(shop.id));
    await tap(screen, MasterCallbackData.adjustAsk(shop.id));
    expect((await send('-100 ab')).text).toContain('a note of 3 to 300 characters');
    // More than the free balance: refused before any confirmation.
    const free = Number(before.balance);
    expect((await send(`-${free + 1} too much`)).text).toContain('cannot take more than the free balance');
    const confirm = await send('-100,000 mistyped top-up');
    expect(confirm.text).toContain('Take');
    expect(confirm.text).toContain('mistyped top-up');
    expect(confirm.text).toContain('Balance after');
    const yes = operator.data(confirm, 'ms:ay:');
    expect(yes).toMatch(/^ms:ay:[\w-]{22}:[\w-]{12}$/);
    // Two taps at once, then a third from a client still showing the button: one ledger row, one debit.
    const answers = await Promise.all([0, 1].map(() => operator.tap(confirm, yes)));
    answers.push(await operator.tap(confirm, yes, { forged: true }));
    expect(answers.filter((a) => a.text && /already made|expired|no longer/.test(a.text))).toHaveLength(2);
    const after = await bot(shop.id);
    expect(Number(after.balance) - Number(before.balance)).toBe(-100_000);
    expect(await adjustments()).toEqual([{ amount: -100_000, note: 'mistyped top-up' }]);
    expect(current(confirm.messageId).text).toContain('taken from the wallet');

    // A forged confirm for another nonce changes nothing.
    const forged = await operator.tap(confirm, MasterCallbackData.adjustConfirm(shop.id, 'AAAAAAAAAAAA'), {
      forged: true,
    });
    expect(forged.text).not.toContain('taken');
    expect((await bot(shop.id)).balance).toBe(after.balance);
  }, 60_000);

  it('wholesale price and feature allowances from the card', async () => {
    const card = await send(`/tenants ${shop.id}`);
    const { screen } = await tap(card, MasterCallbackData.card(shop.id));
    const { screen: price } = await tap(screen, MasterCallbackData.price(shop.id));
    expect(price.text).toContain('Wholesale price of Night <Owl> VPN');
    await tap(price, MasterCallbackData.priceAsk(shop.id));
    expect((await send('1 2 3')).text).toContain('not four whole numbers');
    const confirm = await send('0 20000 0 200');
    await tap(confirm, MasterCallbackData.priceConfirm(shop.id));
    const wp = await api.as(api.master, 'get', `/v1/admin/bots/${shop.id}/wholesale-price`).expect(200);
    expect(wp.body).toMatchObject({ perPlanMinor: 0, perGbMinor: 20_000, perDayMinor: 0, unlimitedTrafficGb: 200 });

    const { screen: features } = await tap(current(confirm.messageId), MasterCallbackData.price(shop.id));
    const { screen: list } = await tap(features, MasterCallbackData.card(shop.id));
    const { screen: toggles } = await tap(list, MasterCallbackData.features(shop.id));
    const zarinpal = buttonsOf(toggles).find((b) => b.text.includes('zarinpal'))!;
    expect(zarinpal.text).toContain('🚫');
    const { answer, screen: toggled } = await tap(toggles, zarinpal.callback_data!);
    expect(answer.text).toBe('Saved.');
    expect(buttonsOf(toggled).find((b) => b.text.includes('zarinpal'))!.text).toContain('✅');
    const f = await api.as(shop.apiToken, 'get', `/v1/bots/${shop.id}/features`).expect(200);
    const items = (f.body.items ?? f.body) as { key: string; allowed: boolean }[];
    expect(items.find((i) => i.key === 'zarinpal')?.allowed).toBe(true);
  }, 60_000);

  it('invites: create (the code to forward), list, revoke', async () => {
    const list = await send('/invites');
    expect(list.text).toContain('Invites');
    const { screen: created } = await tap(list, MasterCallbackData.inviteCreate());
    const code = /inv_[\w-]+/.exec(created.text ?? '')?.[0];
    expect(code).toBeDefined();
    expect(created.text).toContain('/v1/bots');
    const invites = await api.as(api.master, 'get', '/v1/admin/invites?state=active').expect(200);
    const invite = (invites.body.items as { id: string; code: string }[]).find((i) => i.code === code)!;
    expect(invite).toBeDefined();

    const { screen: again } = await tap(created, MasterCallbackData.invites(1));
    expect(again.text).toContain(code!);
    const { screen: ask } = await tap(again, MasterCallbackData.inviteRevokeAsk(invite.id));
    const { screen: revoked } = await tap(ask, MasterCallbackData.inviteRevokeConfirm(invite.id));
    expect(revoked.text).toContain('revoked');
    const after = await api.as(api.master, 'get', '/v1/admin/invites?state=revoked').expect(200);
    expect((after.body.items as { id: string }[]).map((i) => i.id)).toContain(invite.id);
  }, 60_000);

  it('panels: health, load and capacity; pause keeps new subscriptions off it, resume lets them back', async () => {
    const panelId = await api.newPanel({
      name: 'Frankfurt-1',
      type: 'remnawave',
      baseUrl: rw.url,
      credentials: { apiKey: 'rw-key' },
      settings: { activeInternalSquads: [REMNAWAVE_DEFAULT_SQUAD_UUID] },
      capacity: 300,
      location: 'de',
    });
    const panels = await send('/panels');
    expect(panels.text).toContain('Frankfurt-1');
    expect(panels.text).toContain('load 0 of 300');
    expect(panels.text).toContain('not checked yet');
    const { screen: paused } = await tap(panels, MasterCallbackData.panelPause(panelId));
    expect(paused.text).toMatch(/⏸ Frankfurt-1/);
    const p1 = await api.as(api.master, 'get', `/v1/admin/panels/${panelId}`).expect(200);
    expect(p1.body.isActive).toBe(false);
    const { screen: resumed } = await tap(paused, MasterCallbackData.panelResume(panelId));
    expect(resumed.text).toMatch(/🟢 Frankfurt-1/);
    const p2 = await api.as(api.master, 'get', `/v1/admin/panels/${panelId}`).expect(200);
    expect(p2.body.isActive).toBe(true);
  }, 60_000);

  it('stats for today, 7 and 30 days', async () => {
    const today = await send('/stats');
    expect(today.text).toContain('Platform — today');
    expect(today.text).toMatch(/Tenants: \d+ \(\d+ active, \d+ suspended\), \d+ new/);
    const { screen: week } = await tap(today, MasterCallbackData.stats('7d'));
    expect(week.text).toContain('Platform — last 7 days');
    const { screen: month } = await tap(week, MasterCallbackData.stats('30d'));
    expect(month.text).toContain('Platform — last 30 days');
  }, 30_000);

  it('/audit shows the newest 10 entries of the operator audit log, newest first, with who and the tenant', async () => {
    const audit = await send('/audit');
    expect(audit.text).toContain('Audit log');
    const lines = (audit.text ?? '').split('\n').filter((l) => l.includes(' · '));
    expect(lines).toHaveLength(10);
    // The last change made in this chat (a panel paused or resumed) comes first, named after the operator.
    expect(lines[0]).toContain('panel.updated');
    expect(lines[0]).toContain(`master:tg:${OP}`);
    expect(audit.text).toContain('Night <Owl> VPN');
  }, 30_000);

  it('a stranger gets the ordinary shop, and their forged ms: taps change nothing', async () => {
    const stranger = chatWith(user());
    const reply = await stranger.send('/tenants');
    expect(reply.text).not.toContain('Tenants');
    stranger.say('/start');
    const menu = await stranger.message((m) => buttonsOf(m).length > 0);
    const before = await bot(shop.id);
    const forged = [
      MasterCallbackData.suspendConfirm(shop.id),
      MasterCallbackData.topUpConfirm(shop.id, 999_999, 'AAAAAAAAAAAA'),
      MasterCallbackData.featureToggle(shop.id, 1, false),
      MasterCallbackData.inviteCreate(),
      MasterCallbackData.stats('today'),
    ];
    for (const d of forged) {
      const answer = await stranger.tap(menu, d, { forged: true });
      expect(answer.text).toBe('This is not available.');
    }
    const after = await bot(shop.id);
    expect(after).toEqual(before);
    expect(stranger.messages().some((m) => /Platform|Invite|Operator/.test(m.text ?? ''))).toBe(false);

    // The operator's own malformed ms: data is refused too.
    const help = await send('/help');
    const malformed = await operator.tap(help, `ms:tc:${'A'.repeat(22)}:12x:AAAAAAAAAAAA`, { forged: true });
    expect(malformed.text).toBe('This is not available.');
  }, 60_000);

  it('a tenant whose token Telegram revoked: the operator hears of it at once (alerts scan off), once', async () => {
    const tg = emu.createBot({ username: 'revoked_shop_bot' });
    await api.registerBot(tg, { name: 'Revoked shop' });
    await emu.waitForPolling(tg.id, 20_000);
    emu.revokeToken(tg.id);
    // In the master bot's language (Persian by default); the tenant's @username names it.
    const alert = await waitFor(() => botMsgs().find((m) => m.text?.includes('@revoked_shop_bot')), 20_000);
    expect(alert.sourceText).toContain('⚠️');
    const listed = await api.as(api.master, 'get', '/v1/admin/bots?search=revoked_shop').expect(200);
    await waitFor(async () => (await bot(listed.body.items[0].id)).status === 'token_invalid', 10_000);
    expect(botMsgs().filter((m) => m.text?.includes('@revoked_shop_bot'))).toHaveLength(1);
  }, 60_000);

  it('a low wallet reaches the operator once, with two workers scanning', async () => {
    const lowTg = emu.createBot({ username: 'dry_wallet_bot' });
    await api.registerBot(lowTg, { name: 'Dry wallet' });
    const scans = new Queue(QueueName.Provisioning, {
      connection: { url: testRedisUrl(), maxRetriesPerRequest: null },
      prefix: `${env.redisPrefix}:q`,
    });
    try {
      await worker?.stop();
      worker = undefined;
      const vars = { ...env.vars, OPERATOR_ALERT_INTERVAL_MS: '300' };
      extraWorkers.push(spawnApp('worker', { ...vars, WORKER_HTTP_PORT: String(await freePort()) }));
      extraWorkers.push(spawnApp('worker', { ...vars, WORKER_HTTP_PORT: String(await freePort()) }));
      const since = Date.now();
      const fresh = () => botMsgs().filter((m) => m.sentAtMs >= since);
      // In the master bot's language (Persian by default); the tenant's @username names it.
      const alerts = () => fresh().filter((m) => m.text?.includes('@dry_wallet_bot'));
      await waitFor(() => alerts()[0], 30_000);
      const seen = async () =>
        (await scans.getJobs(['completed'], 0, 200)).filter((j) => j?.name === JobName.ScanOperatorAlerts).length;
      const first = await seen();
      await waitFor(async () => (await seen()) >= first + 6, 30_000);
      expect(alerts()).toHaveLength(1);
      // The topped-up tenant is above the threshold: no alert for it.
      expect(fresh().some((m) => m.text?.includes('@night_owl_vpn_bot'))).toBe(false);
      expect(fresh().filter((m) => m.text?.includes('@other_corner_bot'))).toHaveLength(1);
    } finally {
      await scans.close();
    }
  }, 120_000);
});
