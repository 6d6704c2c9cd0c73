import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SaleCallbacks } from '@botfleet/telegram';
import {
  applyEnv,
  createTestEnv,
  platformOf,
  spawnWorker,
  TelegramEmulator,
  TestEnv,
  WorkerProcess,
} from '@botfleet/testing';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { buttonData, ChatMessage, QUICK_BOT_LEASES, waitForBotMessage } from './support/bot-chat';

/**
 * What a buyer can order in the bot is what is on sale, whatever the button says: the trial plan is given
 * away, never bought, so a forged button with its id creates no order. The real worker hosts the bot against
 * the Telegram emulator; the tenant arranges its plans over the API.
 */
describe('plans on sale in the bot', () => {
  jest.setTimeout(60_000);
  const emu = new TelegramEmulator();
  let env: TestEnv;
  let platform: DataSource;
  let worker: WorkerProcess;
  let app: INestApplication;
  let restore: () => void;

  beforeAll(async () => {
    const emuUrl = await emu.listen(0);
    env = await createTestEnv({
      TELEGRAM_API_ROOT: emuUrl,
      ...QUICK_BOT_LEASES,
    });
    restore = applyEnv(env.vars);
    app = await createApiApp();
    await app.init();
    platform = await platformOf(env);
    worker = await spawnWorker(env.vars);
  });

  afterAll(async () => {
    await worker?.stop();
    await app?.close();
    restore?.();
    await emu.close();
    await env?.cleanup();
  });

  it('a forged button with the trial plan orders nothing; the plan on sale is ordered', async () => {
    const tg = emu.createBot({ username: 'trial_shop_bot' });
    const master = { Authorization: `Bearer ${env.masterToken}` };
    const created = await request(app.getHttpServer())
      .post('/v1/bots')
      .set(master)
      .send({ name: 'Trial shop', telegramBotToken: tg.token, ownerTelegramId: 880_001, defaultLanguage: 'en' })
      .expect(201);
    const botId: string = created.body.bot.id;
    const plan = (over: Record<string, unknown>) =>
      request(app.getHttpServer())
        .post(`/v1/bots/${botId}/plans`)
        .set(master)
        .send({ name: { en: 'Plan' }, periodDays: 30, trafficLimitGb: 10, deviceLimit: 1, ...over })
        .expect(201)
        .then((r) => r.body.id as string);
    const sold = await plan({ priceMinor: 50_000 });
    const trial = await plan({ priceMinor: 40_000, isTrial: true });

    await emu.waitForPolling(tg.id, 20_000);
    const from = { id: 880_100, first_name: 'Buyer', language_code: 'en' };
    const botMessage = (match: (m: ChatMessage) => boolean) => waitForBotMessage(emu, tg.id, from.id, match);
    emu.sendText(tg.id, { from, text: '/buy' });
    const plans = await botMessage((m) => !!buttonData(m, SaleCallbacks.plan(sold)));
    expect(buttonData(plans, SaleCallbacks.plan(trial))).toBeUndefined();

    for (const data of [SaleCallbacks.plan(trial), SaleCallbacks.newSub(trial)]) {
      const press = emu.pressButton(tg.id, { from, messageId: plans.messageId, data, forged: true });
      const answer = await emu.waitForCallbackAnswer(tg.id, press.callbackQueryId, 15_000);
      expect(answer.showAlert).toBe(true);
    }
    emu.pressButton(tg.id, { from, messageId: plans.messageId, data: SaleCallbacks.plan(sold) });
    await botMessage((m) => !!buttonData(m, 's:c:'));

    const orders: { plan_id: string }[] = await platform.query(`SELECT plan_id FROM orders WHERE bot_id = $1`, [botId]);
    expect(orders.map((o) => o.plan_id)).toEqual([sold]);
  });
});
