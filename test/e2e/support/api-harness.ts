import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { applyEnv, createTestEnv, TelegramEmulator, TestEnv } from '@botfleet/testing';
import { createApiApp } from '../../../apps/api/src/bootstrap';

// A fresh database and the API per file, on a shared 2-core machine: allow for slow starts.
jest.setTimeout(60_000);

export interface RegisteredBot {
  id: string;
  apiToken: string;
  telegramToken: string;
  telegramBotId: number;
  ownerTelegramId: number;
}

/**
 * One test file's world: a fresh database and Redis prefix, the Telegram Bot API emulator, and
 * the real API started in-process against both. Tests talk to the API over HTTP only; the
 * platform data source is for looking at what was written, never for arranging it.
 */
export class ApiHarness {
  env!: TestEnv;
  app!: INestApplication;
  telegram!: TelegramEmulator;
  platformDb!: DataSource;
  private restore?: () => void;
  private seq = 0;

  static async start(): Promise<ApiHarness> {
    const h = new ApiHarness();
    h.telegram = await TelegramEmulator.start();
    h.env = await createTestEnv({ TELEGRAM_API_ROOT: h.telegram.url });
    h.restore = applyEnv(h.env.vars);
    h.app = await createApiApp();
    await h.app.init();
    h.platformDb = await h.env.db.platform();
    return h;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.restore?.();
    await this.env?.cleanup();
    await this.telegram?.close();
  }

  get http() {
    return request(this.app.getHttpServer());
  }

  get master(): string {
    return this.env.masterToken;
  }

  /** Each test gets its own client address, so failed-auth counting in one test never spills into another. */
  nextIp(): string {
    this.seq++;
    return `10.${(this.seq >> 16) & 255}.${(this.seq >> 8) & 255}.${this.seq & 255}`;
  }

  /** A request with a bearer token. */
  as(token: string | undefined, method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string) {
    const r = this.http[method](path);
    return token ? r.set('Authorization', `Bearer ${token}`) : r;
  }

  async createInvite(body: Record<string, unknown> = {}): Promise<{ id: string; code: string }> {
    const res = await this.as(this.master, 'post', '/v1/admin/invites').send(body).expect(201);
    return res.body;
  }

  /** Registers a fresh Telegram bot with the emulator and onboards it through the API (master token). */
  async registerBot(opts: { name?: string; ownerTelegramId?: number } = {}): Promise<RegisteredBot> {
    const tg = this.telegram.createBot();
    const ownerTelegramId = opts.ownerTelegramId ?? 100_000 + Math.floor(Math.random() * 1e9);
    const res = await this.as(this.master, 'post', '/v1/bots').send({
      name: opts.name ?? `Shop ${tg.id}`,
      telegramBotToken: tg.token,
      ownerTelegramId,
    });
    if (res.status !== 201) throw new Error(`registerBot: ${res.status} ${res.text}`);
    return {
      id: res.body.bot.id,
      apiToken: res.body.apiToken,
      telegramToken: tg.token,
      telegramBotId: tg.id,
      ownerTelegramId,
    };
  }

  async count(table: string, where = 'true', params: unknown[] = []): Promise<number> {
    const rows: { n: string }[] = await this.platformDb.query(
      `SELECT count(*) AS n FROM ${table} WHERE ${where}`,
      params,
    );
    return Number(rows[0].n);
  }
}
