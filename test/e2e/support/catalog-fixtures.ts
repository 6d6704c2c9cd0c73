import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { applyEnv, createTestEnv, TelegramEmulator, TestContext, TestEnv } from '@botfleet/testing';
import { createApiApp } from '../../../apps/api/src/bootstrap';

export interface Tenant {
  botId: string;
  token: string;
}

/**
 * The API in-process on a fresh database, with the Telegram emulator that onboarding checks tokens with.
 * Tenants join through the API (an invite, then `POST /v1/bots`). The platform connection is for looking
 * at what was written; sales, which only a buyer in a bot can make, come from the sale's own use cases
 * (TestContext).
 */
export class CatalogWorld {
  env!: TestEnv;
  app!: INestApplication;
  platform!: DataSource;
  telegram!: TelegramEmulator;
  private ctx?: TestContext;
  private restore?: () => void;
  private ip = 0;

  static async start(): Promise<CatalogWorld> {
    const w = new CatalogWorld();
    w.telegram = await TelegramEmulator.start();
    w.env = await createTestEnv({ TELEGRAM_API_ROOT: w.telegram.url });
    w.restore = applyEnv(w.env.vars);
    w.app = await createApiApp();
    await w.app.init();
    w.platform = await w.env.db.platform();
    return w;
  }

  async stop(): Promise<void> {
    await this.ctx?.close();
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

  /** A paid sale of `planId` (a buyer and an order), by card-to-card when `cardId` is given (the card the rotation must pick). */
  async sale(botId: string, planId: string, cardId?: string): Promise<void> {
    this.ctx ??= await TestContext.create({ env: this.env, telegram: this.telegram });
    const paid = await this.ctx.newPaidOrder(botId, { planId, via: cardId ? 'card' : 'wallet' });
    if (cardId) {
      const [payment] = await this.platform.query(`SELECT card_id FROM card_to_card_payments WHERE order_id = $1`, [
        paid.orderId,
      ]);
      if (payment?.card_id !== cardId)
        throw new Error(`sale: the rotation picked card ${payment?.card_id}, not ${cardId}`);
    }
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
