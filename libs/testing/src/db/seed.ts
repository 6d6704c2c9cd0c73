import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';

type Q = DataSource | EntityManager;

/**
 * The isolation catalogue's seeder, and only that: one row in every tenant table for `botId`, written
 * straight through a connection that bypasses RLS, so the isolation tests (libs/dal tenant-isolation, the
 * BOLA matrix) have something of another tenant's to fail to see in every table — including tables no use
 * case writes yet. Returns the tables it wrote; the isolation test checks that this is every table with
 * bot_id, so a new tenant table must be added here. Everything else arranges data through TestContext or
 * the public API.
 */
export async function seedEveryTenantTable(q: Q, botId: string): Promise<string[]> {
  const ids = {
    user: randomUUID(),
    plan: randomUUID(),
    card: randomUUID(),
    sub: randomUUID(),
    order: randomUUID(),
    promo: randomUUID(),
    group: randomUUID(),
    ticket: randomUUID(),
    broadcast: randomUUID(),
  };
  const tg = Math.floor(Math.random() * 1e9);
  const steps: [string, string, unknown[]][] = [
    [
      'tenant_wallet_ledger',
      `INSERT INTO tenant_wallet_ledger (bot_id, type, amount_minor, balance_after_minor, idempotency_key, created_by) VALUES ($1,'top_up',1000,1000,$2,'test')`,
      [botId, `seed:${randomUUID()}`],
    ],
    ['wholesale_prices', `INSERT INTO wholesale_prices (bot_id, per_plan_minor) VALUES ($1, 10)`, [botId]],
    [
      'feature_allowances',
      `INSERT INTO feature_allowances (bot_id, feature_key, allowed) VALUES ($1,'card_to_card',true)`,
      [botId],
    ],
    [
      'bot_feature_flags',
      `INSERT INTO bot_feature_flags (bot_id, feature_key, enabled) VALUES ($1,'card_to_card',true)`,
      [botId],
    ],
    [
      'bot_configurations',
      `INSERT INTO bot_configurations (bot_id, config_key, config_value) VALUES ($1,'currency','"IRR"')`,
      [botId],
    ],
    ['bot_admins', `INSERT INTO bot_admins (bot_id, telegram_id, is_owner) VALUES ($1,$2,true)`, [botId, tg]],
    [
      'tenant_payment_cards',
      `INSERT INTO tenant_payment_cards (id, bot_id, card_number, card_holder_name) VALUES ($1,$2,'6037990000000006','Holder')`,
      [ids.card, botId],
    ],
    [
      'card_daily_usage',
      `INSERT INTO card_daily_usage (bot_id, card_id, day, amount_minor) VALUES ($1,$2,current_date,5)`,
      [botId, ids.card],
    ],
    ['card_rotation_state', `INSERT INTO card_rotation_state (bot_id, cursor) VALUES ($1, 0)`, [botId]],
    [
      'bot_plans',
      `INSERT INTO bot_plans (id, bot_id, name, period_days, price_minor) VALUES ($1,$2,'{"en":"Plan"}',30,1000)`,
      [ids.plan, botId],
    ],
    ['promo_groups', `INSERT INTO promo_groups (id, bot_id, name) VALUES ($1,$2,'vip')`, [ids.group, botId]],
    [
      'users',
      `INSERT INTO users (id, bot_id, telegram_id, referral_code) VALUES ($1,$2,$3,$4)`,
      [ids.user, botId, tg, randomBytes(4).toString('hex')],
    ],
    [
      'subscriptions',
      `INSERT INTO subscriptions (id, bot_id, user_id, plan_id) VALUES ($1,$2,$3,$4)`,
      [ids.sub, botId, ids.user, ids.plan],
    ],
    [
      'promocodes',
      `INSERT INTO promocodes (id, bot_id, code, kind, value) VALUES ($1,$2,'WELCOME','percent',10)`,
      [ids.promo, botId],
    ],
    [
      'orders',
      `INSERT INTO orders (id, bot_id, user_id, plan_id, amount_minor, currency, period_days, idempotency_key) VALUES ($1,$2,$3,$4,1000,'IRR',30,$5)`,
      [ids.order, botId, ids.user, ids.plan, randomUUID()],
    ],
    [
      'transactions',
      `INSERT INTO transactions (bot_id, user_id, type, amount_minor, balance_after_minor, idempotency_key) VALUES ($1,$2,'deposit',5,5,$3)`,
      [botId, ids.user, randomUUID()],
    ],
    [
      'card_to_card_payments',
      `INSERT INTO card_to_card_payments (bot_id, user_id, order_id, card_id, amount_minor, tracking_number, expires_at, receipt_type, receipt_file_id, receipt_file_unique_id) VALUES ($1,$2,$3,$4,1000,$5, now() + interval '30 minutes', 'photo', $6, $6)`,
      [
        botId,
        ids.user,
        ids.order,
        ids.card,
        `C2C-${randomBytes(3).toString('hex')}`,
        `seed-${randomBytes(6).toString('hex')}`,
      ],
    ],
    [
      'gateway_payments',
      `INSERT INTO gateway_payments (bot_id, user_id, gateway, purpose, order_id, amount_minor, currency, gateway_amount, gateway_unit, external_id, expires_at) VALUES ($1,$2,'zarinpal','order',$3,1000,'IRR',1000,'IRR',$4, now() + interval '30 minutes')`,
      [botId, ids.user, ids.order, `A${randomBytes(8).toString('hex')}`],
    ],
    [
      'promocode_uses',
      `INSERT INTO promocode_uses (bot_id, promocode_id, user_id) VALUES ($1,$2,$3)`,
      [botId, ids.promo, ids.user],
    ],
    [
      'referral_earnings',
      `INSERT INTO referral_earnings (bot_id, referrer_id, referred_id, order_id, amount_minor) VALUES ($1,$2,$2,$3,10)`,
      [botId, ids.user, ids.order],
    ],
    ['tickets', `INSERT INTO tickets (id, bot_id, number, user_id) VALUES ($1,$2,1,$3)`, [ids.ticket, botId, ids.user]],
    [
      'ticket_messages',
      `INSERT INTO ticket_messages (bot_id, ticket_id, sender, text) VALUES ($1,$2,'user','hi')`,
      [botId, ids.ticket],
    ],
    [
      'broadcasts',
      `INSERT INTO broadcasts (id, bot_id, text, created_by) VALUES ($1,$2,'news','test')`,
      [ids.broadcast, botId],
    ],
    [
      'broadcast_deliveries',
      `INSERT INTO broadcast_deliveries (bot_id, broadcast_id, user_id) VALUES ($1,$2,$3)`,
      [botId, ids.broadcast, ids.user],
    ],
    [
      'sent_notifications',
      `INSERT INTO sent_notifications (bot_id, user_id, kind, dedupe_key) VALUES ($1,$2,'expiry_3d',$3)`,
      [botId, ids.user, randomUUID()],
    ],
    [
      'subscription_events',
      `INSERT INTO subscription_events (bot_id, subscription_id, type) VALUES ($1,$2,'created')`,
      [botId, ids.sub],
    ],
    [
      'processed_updates',
      `INSERT INTO processed_updates (bot_id, telegram_bot_id, update_id) VALUES ($1,$2,$2)`,
      [botId, tg],
    ],
    [
      'job_outbox',
      `INSERT INTO job_outbox (bot_id, job_name, job_id, payload) VALUES ($1,'seed',$2,'{}')`,
      [botId, randomUUID()],
    ],
    [
      'console_sessions',
      `INSERT INTO console_sessions (kind, bot_id, telegram_id, role, token_hash, csrf_hash, expires_at)
         VALUES ('tenant',$1,$2,'owner',$3,$3,now() + interval '1 hour')`,
      [botId, tg, randomUUID().replace(/-/g, '')],
    ],
    [
      'audit_logs',
      `INSERT INTO audit_logs (bot_id, actor_type, actor_id, action) VALUES ($1,'system','seed','seed')`,
      [botId],
    ],
  ];
  for (const [, sql, params] of steps) await q.query(sql, params);
  return steps.map(([t]) => t);
}
