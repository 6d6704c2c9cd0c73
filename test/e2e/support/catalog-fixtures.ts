import { INestApplication } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { generateApiToken, sha256Hex } from '@botfleet/secrets';
import { applyEnv, createTestEnv, insertBot, TestEnv } from '@botfleet/testing';
import { createApiApp } from '../../../apps/api/src/bootstrap';

export interface Tenant {
  botId: string;
  token: string;
}

/**
 * The API in-process on a fresh database, with tenants made directly in the database (the
 * onboarding flow has its own suite). The platform connection arranges what the API cannot
 * (another tenant's rows, sales, panels) and looks at what was written.
 */
export class CatalogWorld {
  env!: TestEnv;
  app!: INestApplication;
  platform!: DataSource;
  private restore?: () => void;
  private ip = 0;

  static async start(): Promise<CatalogWorld> {
    const w = new CatalogWorld();
    w.env = await createTestEnv();
    w.restore = applyEnv(w.env.vars);
    w.app = await createApiApp();
    await w.app.init();
    w.platform = await w.env.db.platform();
    return w;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.restore?.();
    await this.env?.cleanup();
  }

  /** A bot with its own API token (only the hash is stored, as onboarding does). */
  async tenant(): Promise<Tenant> {
    const botId = await insertBot(this.platform);
    const token = generateApiToken();
    await this.platform.query(`UPDATE bots SET api_token_hash = $2 WHERE id = $1`, [botId, sha256Hex(token)]);
    return { botId, token };
  }

  /** A request as `token`, from an address of its own (failed-auth counting is per address). */
  as(token: string, method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string) {
    this.ip++;
    return request(this.app.getHttpServer())
      [method](path)
      .set('Authorization', `Bearer ${token}`)
      .set('X-Forwarded-For', `10.9.${(this.ip >> 8) & 255}.${this.ip & 255}`);
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

  /** A sale of `planId` (a user and an order), optionally paid by card-to-card on `cardId`. */
  async sale(botId: string, planId: string, cardId?: string): Promise<void> {
    const userId = randomUUID();
    const orderId = randomUUID();
    await this.platform.query(`INSERT INTO users (id, bot_id, telegram_id, referral_code) VALUES ($1, $2, $3, $4)`, [
      userId,
      botId,
      Math.floor(Math.random() * 1e9),
      randomBytes(4).toString('hex'),
    ]);
    await this.platform.query(
      `INSERT INTO orders (id, bot_id, user_id, plan_id, amount_minor, currency, period_days, idempotency_key)
       VALUES ($1, $2, $3, $4, 1000, 'IRR', 30, $5)`,
      [orderId, botId, userId, planId, randomUUID()],
    );
    if (cardId) {
      await this.platform.query(
        `INSERT INTO card_to_card_payments (bot_id, user_id, order_id, card_id, amount_minor, tracking_number, expires_at)
         VALUES ($1, $2, $3, $4, 1000, $5, now() + interval '30 minutes')`,
        [botId, userId, orderId, cardId, `T${randomBytes(4).toString('hex')}`],
      );
    }
  }

  /** A plan made directly in the database (for tests about cards). */
  async rawPlan(botId: string): Promise<string> {
    const id = randomUUID();
    await this.platform.query(
      `INSERT INTO bot_plans (id, bot_id, name, period_days, price_minor) VALUES ($1, $2, '{"en":"Raw"}', 30, 1000)`,
      [id, botId],
    );
    return id;
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
