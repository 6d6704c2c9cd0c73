import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SaleCallbacks } from '@botfleet/telegram';
import {
  applyEnv,
  createTestEnv,
  EmulatedBot,
  QUICK_BOT_LEASES,
  spawnWorker,
  TelegramEmulator,
  TestEnv,
  waitFor,
  WorkerProcess,
} from '@botfleet/testing';
import { createApiApp } from '../../../apps/api/src/bootstrap';

export interface Tenant {
  botId: string;
  token: string;
}

type Msg = Awaited<ReturnType<TelegramEmulator['getChatMessages']>>[number];

/**
 * The API in-process on a fresh database, with the Telegram emulator that onboarding checks tokens with.
 * Tenants join through the API (an invite, then `POST /v1/bots`). Sales are made by buyers in the tenants'
 * bots, hosted by a worker process started on the first sale. The platform connection is for looking at
 * what was written.
 */
export class CatalogWorld {
  env!: TestEnv;
  app!: INestApplication;
  platform!: DataSource;
  telegram!: TelegramEmulator;
  private worker?: WorkerProcess;
  private readonly bots = new Map<string, EmulatedBot>();
  private buyers = 60_000;
  private restore?: () => void;
  private ip = 0;

  static async start(): Promise<CatalogWorld> {
    const w = new CatalogWorld();
    w.telegram = await TelegramEmulator.start();
    w.env = await createTestEnv({
      TELEGRAM_API_ROOT: w.telegram.url,
      ...QUICK_BOT_LEASES,
    });
    w.restore = applyEnv(w.env.vars);
    w.app = await createApiApp();
    await w.app.init();
    w.platform = await w.env.db.platform();
    return w;
  }

  async stop(): Promise<void> {
    await this.worker?.stop();
    await this.app?.close();
    this.restore?.();
    await this.env?.cleanup();
    await this.telegram?.close();
  }

  /** A bot registered through the API with an invite from the operator; its API token as onboarding showed it. */
  async tenant(): Promise<Tenant> {
    const invite = await this.as(this.env.masterToken, 'post', '/v1/admin/invites').send({}).expect(201);
    const tg = this.telegram.createBot();
    const res = await request(this.app.getHttpServer())
      .post('/v1/bots')
      .set('X-Forwarded-For', this.nextIp())
      .send({
        name: `Shop ${tg.username}`,
        telegramBotToken: tg.token,
        ownerTelegramId: 100_000 + Math.floor(Math.random() * 1e9),
        inviteCode: invite.body.code,
      });
    if (res.status !== 201) throw new Error(`tenant: ${res.status} ${res.text}`);
    this.bots.set(res.body.bot.id, tg);
    return { botId: res.body.bot.id, token: res.body.apiToken };
  }

  /** A request as `token`, from an address of its own (failed-auth counting is per address). */
  as(token: string, method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string) {
    return request(this.app.getHttpServer())
      [method](path)
      .set('Authorization', `Bearer ${token}`)
      .set('X-Forwarded-For', this.nextIp());
  }

  private nextIp(): string {
    this.ip++;
    return `10.9.${(this.ip >> 8) & 255}.${this.ip & 255}`;
  }

  /** Every row of a tenant table for one bot, as JSON text (to prove a bad request changed nothing). */
  async snapshot(table: string, botId: string): Promise<string> {
    const rows = await this.platform.query(`SELECT * FROM "${table}" WHERE bot_id = $1 ORDER BY 1, 2`, [botId]);
    return JSON.stringify(rows);
  }

  async auditCount(botId: string): Promise<number> {
    const [r] = await this.platform.query(`SELECT count(*)::int AS n FROM audit_logs WHERE bot_id = $1`, [botId]);
    return r.n;
  }

  /**
   * A sale of `planId` as a buyer makes it in the tenant's bot: /buy, the plan (a pending order), and with
   * `cardId` the card-to-card method (a payment on the card the rotation picks, which must be `cardId`).
   */
  async sale(botId: string, planId: string, cardId?: string): Promise<void> {
    const tg = this.bots.get(botId);
    if (!tg) throw new Error('sale: not a tenant of this world');
    this.worker ??= await spawnWorker(this.env.vars);
    await this.telegram.waitForPolling(tg.id, 20_000);
    const from = { id: ++this.buyers, first_name: `Buyer${this.buyers}`, language_code: 'en' };
    const message = (match: (m: Msg) => boolean) =>
      waitFor(
        () =>
          this.telegram
            .getChatMessages(tg.id, from.id)
            .filter((m) => m.direction === 'bot')
            .find(match),
        15_000,
      );
    const data = (m: Msg, prefix: string) =>
      ((m.replyMarkup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [])
        .flat()
        .find((b) => b.callback_data?.startsWith(prefix))?.callback_data;
    this.telegram.sendText(tg.id, { from, text: '/buy' });
    const plan = SaleCallbacks.plan(planId);
    const plans = await message((m) => !!data(m, plan));
    this.telegram.pressButton(tg.id, { from, messageId: plans.messageId, data: plan });
    const methods = await message((m) => !!data(m, 's:c:'));
    if (!cardId) return;
    this.telegram.pressButton(tg.id, { from, messageId: methods.messageId, data: data(methods, 's:c:')! });
    await message((m) => (m.text ?? '').includes('C2C-'));
    const [payment] = await this.platform.query(
      `SELECT p.card_id FROM card_to_card_payments p JOIN users u ON u.id = p.user_id
        WHERE p.bot_id = $1 AND u.telegram_id = $2`,
      [botId, from.id],
    );
    if (payment?.card_id !== cardId)
      throw new Error(`sale: the rotation picked card ${payment?.card_id}, not ${cardId}`);
  }

  /** A plan made through the API (for tests about cards). */
  async newPlan(t: Tenant): Promise<string> {
    const res = await this.as(t.token, 'post', `/v1/bots/${t.botId}/plans`)
      .send({ name: { en: 'Raw' }, periodDays: 30, priceMinor: 1000, trafficLimitGb: 0, deviceLimit: 0 })
      .expect(201);
    return res.body.id;
  }
}

/** A 400 whose details name `field` (exactly, or a sub-path of it). */
export function expectFieldError(res: request.Response, field: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  const fields: string[] = (res.body.error.details ?? []).map((d: { field: string }) => d.field);
  expect({ field, fields, matched: fields.some((f) => f === field || f.startsWith(`${field}.`)) }).toEqual({
    field,
    fields,
    matched: true,
  });
}
