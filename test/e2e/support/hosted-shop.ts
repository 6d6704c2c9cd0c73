import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import {
  AppProcess,
  applyEnv,
  createTestEnv,
  CryptoPayEmulator,
  EmulatedBot,
  freePort,
  platformOf,
  RemnawaveEmulator,
  spawnApp,
  spawnWorker,
  TelegramEmulator,
  TestEnv,
  waitForHttp,
  WorkerProcess,
} from '@botfleet/testing';
import { createApiApp } from '../../../apps/api/src/bootstrap';
import { QUICK_BOT_LEASES } from './bot-chat';
import { addRemnawavePanel, joinWithInvite } from './public-api';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The plan the card-sale suites sell (with the Remnawave panel when the shop has one). */
export const MONTHLY_50_GB = {
  name: { en: 'Monthly 50 GB' },
  periodDays: 30,
  priceMinor: 500_000,
  trafficLimitGb: 50,
  deviceLimit: 2,
};

export interface HostedShopOptions {
  /** The suite's own settings for the apps, over the emulator's address, quick bot leases and 2 s polls. */
  env?: Record<string, string>;
  /**
   * Where the API runs: in this process (`in-process`, the default), in this process and listening on a port of
   * 127.0.0.1 (`listening`: for callers that are not supertest, such as a webhook), or as a process of its own
   * (`process`, as in production). `shop.apiUrl` is its address in the last two.
   */
  api?: 'in-process' | 'listening' | 'process';
  /** A Remnawave emulator with this API key, registered by the operator as the panel `rw` (`shop.panelId`). */
  remnawaveKey?: string;
  /** A Crypto Pay emulator (`shop.cp`), set as CryptoBot's API (mainnet and testnet). */
  cryptoPay?: boolean;
  /** The shop as it joins with the operator's invite: name (default `Shop <username>`), owner, admin chat. */
  join: { name?: string; ownerTelegramId: number; adminChatId?: number };
  /** The operator's top-up of the shop's wholesale wallet, in minor units. */
  wholesaleWallet?: number;
  /** The operator's wholesale price for the shop (`PUT /v1/admin/bots/{id}/wholesale-price`). */
  wholesalePrice?: Record<string, number>;
  /** The suite's own set-up, after the shop joined and before the worker starts. */
  arrange?: (shop: HostedShop) => Promise<void>;
}

/** What a suite reads of its shop: set in beforeAll, so read inside tests and hooks. */
export type HostedShop = ReturnType<typeof hostedShop>;

/**
 * One shop hosted for real, for a suite that talks to it in Telegram: a fresh test environment, the Telegram
 * emulator (and Remnawave, Crypto Pay when asked), the real API, the shop joined through it the way a reseller
 * joins (English, `shop.tg` its Telegram bot), and a spawned worker polling the shop's bot. Registers the suite's
 * beforeAll / afterAll. The platform connection (`shop.q`) is for looking at what was written.
 */
export function hostedShop(opts: HostedShopOptions) {
  let restore: (() => void) | undefined;
  let apiProcess: AppProcess | undefined;
  const shop = {
    emu: new TelegramEmulator(),
    env: undefined as unknown as TestEnv,
    platform: undefined as unknown as DataSource,
    rw: undefined as unknown as RemnawaveEmulator,
    cp: undefined as unknown as CryptoPayEmulator,
    /** The API when it runs in this process. */
    app: undefined as INestApplication | undefined,
    apiUrl: '',
    worker: undefined as unknown as WorkerProcess,
    tg: undefined as unknown as EmulatedBot,
    botId: '',
    apiToken: '',
    /** The Remnawave panel's id (with `remnawaveKey`). */
    panelId: undefined as string | undefined,
    /** A request to the API. */
    http: () => request(shop.app ? shop.app.getHttpServer() : shop.apiUrl),
    /** A request with a bearer token. */
    as: (token: string, method: Method, path: string) =>
      shop.http()[method](path).set('Authorization', `Bearer ${token}`),
    /** A request as the shop (its API token). */
    api: (method: Method, path: string) => shop.as(shop.apiToken, method, path),
    /** A request as the operator (the master token). */
    master: (method: Method, path: string) => shop.as(shop.env.masterToken, method, path),
    q: (sql: string, params: unknown[] = []) => shop.platform.query(sql, params),
    /** The id of the shop's user with this Telegram id (who has written to the bot). */
    userIdOf: async (telegramId: number): Promise<string> =>
      (await shop.q(`SELECT id FROM users WHERE bot_id = $1 AND telegram_id = $2`, [shop.botId, telegramId]))[0].id,
    /** The shop credits a user's wallet over REST (a balance adjustment). */
    async giveBalance(userId: string, amountMinor: number, key: string, reason = 'e2e'): Promise<void> {
      await shop
        .api('post', `/v1/bots/${shop.botId}/users/${userId}/balance-adjustments`)
        .set('Idempotency-Key', key)
        .send({ amountMinor, reason })
        .expect(201);
    },
    /** A plan of the shop on the Remnawave panel (when there is one); returns its id. */
    async addPlan(plan: Record<string, unknown>): Promise<string> {
      const res = await shop
        .api('post', `/v1/bots/${shop.botId}/plans`)
        .send({ ...(shop.panelId ? { panelId: shop.panelId } : {}), ...plan })
        .expect(201);
      return res.body.id;
    },
    /** The shop's card for card-to-card payments: 6037 9900 0000 0006, Ali Rezaei, Melli. */
    async addCard(): Promise<void> {
      await shop
        .api('post', `/v1/bots/${shop.botId}/payment-cards`)
        .send({ cardNumber: '6037990000000006', cardHolderName: 'Ali Rezaei', bankName: 'Melli' })
        .expect(201);
    },
    /** The shop's Telegram admins besides the owner, with their roles (`PUT /v1/bots/{id}/admins`). */
    async setAdmins(admins: { telegramId: number; role: 'admin' | 'support' }[]): Promise<void> {
      await shop.api('put', `/v1/bots/${shop.botId}/admins`).send({ admins }).expect(200);
    },
    /** Starts a worker (again, after `worker.kill()`). */
    async startWorker(): Promise<void> {
      shop.worker = await spawnWorker(shop.env.vars);
    },
  };

  beforeAll(async () => {
    const telegramUrl = await shop.emu.listen(0);
    if (opts.cryptoPay) shop.cp = await CryptoPayEmulator.start();
    if (opts.remnawaveKey) {
      shop.rw = new RemnawaveEmulator({ apiKey: opts.remnawaveKey });
      await shop.rw.start();
    }
    shop.env = await createTestEnv({
      TELEGRAM_API_ROOT: telegramUrl,
      ...(shop.cp ? { CRYPTO_PAY_BASE_URL: shop.cp.url, CRYPTO_PAY_TESTNET_BASE_URL: shop.cp.url } : {}),
      ...QUICK_BOT_LEASES,
      BOT_POLL_TIMEOUT_S: '2',
      ...opts.env,
    });
    shop.platform = await platformOf(shop.env);
    if (opts.api === 'process') {
      const port = await freePort();
      shop.apiUrl = `http://127.0.0.1:${port}`;
      apiProcess = spawnApp('api', { ...shop.env.vars, API_PORT: String(port), API_HOST: '127.0.0.1' });
      await waitForHttp(`${shop.apiUrl}/health/live`);
    } else {
      restore = applyEnv(shop.env.vars);
      shop.app = await createApiApp();
      if (opts.api === 'listening') {
        await shop.app.listen(0, '127.0.0.1');
        shop.apiUrl = `http://127.0.0.1:${(shop.app.getHttpServer().address() as AddressInfo).port}`;
      }
    }
    const master = shop.env.masterToken;
    if (shop.rw)
      shop.panelId = await addRemnawavePanel(shop.http, master, { baseUrl: shop.rw.url, apiKey: opts.remnawaveKey! });
    shop.tg = shop.emu.createBot();
    ({ botId: shop.botId, apiToken: shop.apiToken } = await joinWithInvite(shop.http, master, {
      name: opts.join.name ?? `Shop ${shop.tg.username}`,
      telegramBotToken: shop.tg.token,
      ownerTelegramId: opts.join.ownerTelegramId,
      defaultLanguage: 'en',
      ...(opts.join.adminChatId ? { adminChatId: opts.join.adminChatId } : {}),
    }));
    if (opts.wholesaleWallet) {
      await shop
        .master('post', `/v1/admin/bots/${shop.botId}/wallet/top-ups`)
        .set('Idempotency-Key', `shop-e2e-${shop.botId}`)
        .send({ amountMinor: opts.wholesaleWallet })
        .expect(201);
    }
    if (opts.wholesalePrice) {
      await shop.master('put', `/v1/admin/bots/${shop.botId}/wholesale-price`).send(opts.wholesalePrice).expect(200);
    }
    await opts.arrange?.(shop);
    await shop.startWorker();
    await shop.emu.waitForPolling(shop.tg.id, 15_000);
  });

  afterAll(async () => {
    await shop.worker?.stop();
    await shop.app?.close();
    await apiProcess?.stop();
    restore?.();
    await shop.emu.close();
    await shop.cp?.close();
    await shop.rw?.stop();
    await shop.env?.cleanup();
  });

  return shop;
}
