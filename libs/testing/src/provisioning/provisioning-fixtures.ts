import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { SecretBox } from '@botfleet/secrets';

type Q = DataSource | EntityManager;

export interface PanelFixture {
  type: 'remnawave' | 'marzban' | 'xui';
  baseUrl: string;
  credentials: Record<string, unknown>;
  settings?: Record<string, unknown>;
  location?: string | null;
  capacity?: number;
  activeUsers?: number;
  isActive?: boolean;
}

/**
 * Registers a panel as the operator would: credentials encrypted with the environment's key and the panel
 * id as associated data. `q` must be a platform (or owner) connection; returns the panel id.
 */
export async function insertPanel(q: Q, encryptionKey: string, panel: PanelFixture): Promise<string> {
  const id = randomUUID();
  const box = new SecretBox(encryptionKey);
  await q.query(
    `INSERT INTO vpn_panels (id, name, type, base_url, credentials_ciphertext, credentials_key_version, settings,
       location, capacity, active_users, is_active)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      id,
      `${panel.type} ${id.slice(0, 8)}`,
      panel.type,
      panel.baseUrl,
      box.encrypt(JSON.stringify(panel.credentials), id),
      box.currentVersion,
      JSON.stringify(panel.settings ?? {}),
      panel.location ?? null,
      panel.capacity ?? 1000,
      panel.activeUsers ?? 0,
      panel.isActive ?? true,
    ],
  );
  return id;
}

export interface PurchaseFixture {
  /** Existing user of the bot; a new one is made otherwise. */
  userId?: string;
  telegramId?: number;
  language?: 'fa' | 'en' | 'ru';
  planPanelId?: string | null;
  location?: string | null;
  periodDays?: number;
  trafficGb?: number;
  deviceLimit?: number;
  /** 'fulfilling' by default: paid, handed to provisioning (what the sale does before queuing the job). */
  orderStatus?: string;
  amountMinor?: number;
}

export interface Purchase {
  userId: string;
  telegramId: number;
  planId: string;
  orderId: string;
  subscriptionId: string;
}

const GiB = 1024 ** 3;

async function newUser(q: Q, botId: string, p: PurchaseFixture): Promise<{ id: string; telegramId: number }> {
  const id = randomUUID();
  const telegramId = p.telegramId ?? 100_000 + Math.floor(Math.random() * 1e9);
  await q.query(
    `INSERT INTO users (id, bot_id, telegram_id, referral_code, language, first_name) VALUES ($1, $2, $3, $4, $5, 'Test')`,
    [id, botId, telegramId, randomBytes(5).toString('hex'), p.language ?? 'en'],
  );
  return { id, telegramId };
}

/**
 * A paid new-subscription purchase as the sale leaves it for provisioning: plan, order (`fulfilling`,
 * kind `new`) and a `pending` subscription. Platform (or owner) connection.
 */
export async function insertPurchase(q: Q, botId: string, p: PurchaseFixture = {}): Promise<Purchase> {
  const user = p.userId
    ? {
        id: p.userId,
        telegramId: Number(
          (await q.query(`SELECT telegram_id FROM users WHERE bot_id = $1 AND id = $2`, [botId, p.userId]))[0]
            .telegram_id,
        ),
      }
    : await newUser(q, botId, p);
  const planId = randomUUID();
  const orderId = randomUUID();
  const subscriptionId = randomUUID();
  const periodDays = p.periodDays ?? 30;
  const trafficGb = p.trafficGb ?? 50;
  const deviceLimit = p.deviceLimit ?? 2;
  await q.query(
    `INSERT INTO bot_plans (id, bot_id, name, period_days, price_minor, traffic_limit_gb, device_limit, panel_id, location)
     VALUES ($1, $2, '{"en":"Test plan"}', $3, 1000, $4, $5, $6, $7)`,
    [planId, botId, periodDays, trafficGb, deviceLimit, p.planPanelId ?? null, p.location ?? null],
  );
  await q.query(
    `INSERT INTO subscriptions (id, bot_id, user_id, plan_id, panel_id, traffic_limit_bytes, device_limit, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending')`,
    [subscriptionId, botId, user.id, planId, p.planPanelId ?? null, trafficGb * GiB, deviceLimit],
  );
  await q.query(
    `INSERT INTO orders (id, bot_id, user_id, plan_id, subscription_id, kind, status, payment_method, amount_minor,
       currency, traffic_bytes, period_days, idempotency_key, paid_at)
     VALUES ($1, $2, $3, $4, $5, 'new', $6, 'wallet', $7, 'IRR', $8, $9, $10, now())`,
    [
      orderId,
      botId,
      user.id,
      planId,
      subscriptionId,
      p.orderStatus ?? 'fulfilling',
      p.amountMinor ?? 1000,
      trafficGb * GiB,
      periodDays,
      `test:${orderId}`,
    ],
  );
  return { userId: user.id, telegramId: user.telegramId, planId, orderId, subscriptionId };
}

/** A paid renewal order of an existing subscription (`fulfilling`, kind `renewal`). Returns the order id. */
export async function insertRenewal(
  q: Q,
  botId: string,
  subscriptionId: string,
  p: { periodDays?: number; trafficGb?: number; orderStatus?: string; amountMinor?: number } = {},
): Promise<string> {
  const [sub] = await q.query(`SELECT user_id, plan_id FROM subscriptions WHERE bot_id = $1 AND id = $2`, [
    botId,
    subscriptionId,
  ]);
  const orderId = randomUUID();
  await q.query(
    `INSERT INTO orders (id, bot_id, user_id, plan_id, subscription_id, kind, status, payment_method, amount_minor,
       currency, traffic_bytes, period_days, idempotency_key, paid_at)
     VALUES ($1, $2, $3, $4, $5, 'renewal', $6, 'wallet', $7, 'IRR', $8, $9, $10, now())`,
    [
      orderId,
      botId,
      sub.user_id,
      sub.plan_id,
      subscriptionId,
      p.orderStatus ?? 'fulfilling',
      p.amountMinor ?? 1000,
      (p.trafficGb ?? 50) * GiB,
      p.periodDays ?? 30,
      `test:${orderId}`,
    ],
  );
  return orderId;
}
