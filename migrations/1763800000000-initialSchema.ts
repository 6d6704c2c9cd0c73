import { MigrationInterface, QueryRunner } from 'typeorm';
import { DB_ROLES } from '../libs/dal/src/migration/roles';
import { makePlatformTable, makeTenantTable } from '../libs/dal/src/migration/tenant-table';

const TS = `created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now()`;
const BOT = `bot_id uuid NOT NULL REFERENCES bots(id) ON DELETE CASCADE`;
const ID = `id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY`;

/**
 * The whole first schema (DATA.md). Tenant tables: bot_id first in every index and unique
 * constraint, (bot_id, id) unique so children reference parents with composite keys, RLS forced.
 */
export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE ALL ON SCHEMA public FROM PUBLIC`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ${DB_ROLES.app}, ${DB_ROLES.platform}`);

    // ---------- platform tables ----------
    await q.query(`CREATE TABLE bots (
      ${ID},
      name varchar(100) NOT NULL,
      is_master boolean NOT NULL DEFAULT false,
      status varchar(20) NOT NULL DEFAULT 'active'
        CHECK (status IN ('active','paused','suspended','token_invalid','deleted')),
      telegram_bot_id bigint NOT NULL,
      telegram_username varchar(64) NOT NULL,
      telegram_token_ciphertext text NOT NULL,
      telegram_token_key_version integer NOT NULL,
      telegram_token_hash char(64) NOT NULL,
      api_token_hash char(64),
      api_token_prefix varchar(16),
      owner_telegram_id bigint NOT NULL,
      default_language varchar(5) NOT NULL DEFAULT 'fa' CHECK (default_language IN ('fa','en','ru')),
      currency char(3) NOT NULL DEFAULT 'IRR' CHECK (currency ~ '^[A-Z]{3}$'),
      support_username varchar(64),
      admin_chat_id bigint,
      admin_topic_id integer,
      card_receipt_topic_id integer,
      notification_group_id bigint,
      notification_topic_id integer,
      wallet_balance_minor bigint NOT NULL DEFAULT 0,
      wallet_held_minor bigint NOT NULL DEFAULT 0 CHECK (wallet_held_minor >= 0),
      traffic_consumed_bytes bigint NOT NULL DEFAULT 0,
      traffic_sold_bytes bigint NOT NULL DEFAULT 0,
      webhook_secret_salt varchar(64) NOT NULL,
      created_by varchar(64),
      deleted_at timestamptz,
      ${TS},
      CONSTRAINT bots_wallet_covers_holds CHECK (wallet_balance_minor >= wallet_held_minor)
    )`);
    await q.query(
      `CREATE UNIQUE INDEX bots_telegram_token_hash_uq ON bots(telegram_token_hash) WHERE status <> 'deleted'`,
    );
    await q.query(`CREATE UNIQUE INDEX bots_telegram_bot_id_uq ON bots(telegram_bot_id) WHERE status <> 'deleted'`);
    await q.query(`CREATE UNIQUE INDEX bots_api_token_hash_uq ON bots(api_token_hash)`);
    await q.query(`CREATE UNIQUE INDEX bots_single_master_uq ON bots(is_master) WHERE is_master`);
    await q.query(`CREATE INDEX bots_status_idx ON bots(status)`);
    // A tenant reads and updates its own bot row (its settings, its wallet in a sale) through RLS on id.
    await q.query(`ALTER TABLE bots ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE bots FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY tenant_isolation ON bots
      USING (id = NULLIF(current_setting('app.bot_id', true), '')::uuid)
      WITH CHECK (id = NULLIF(current_setting('app.bot_id', true), '')::uuid)`);
    await q.query(`GRANT SELECT, UPDATE ON bots TO ${DB_ROLES.app}`);
    await makePlatformTable(q, 'bots');

    await q.query(`CREATE TABLE invites (
      ${ID},
      code varchar(64) NOT NULL UNIQUE,
      note varchar(200),
      expires_at timestamptz,
      used_at timestamptz,
      used_by_bot_id uuid REFERENCES bots(id) ON DELETE SET NULL,
      revoked_at timestamptz,
      created_by varchar(64) NOT NULL,
      ${TS}
    )`);
    await makePlatformTable(q, 'invites');

    await q.query(`CREATE TABLE vpn_panels (
      ${ID},
      name varchar(100) NOT NULL,
      type varchar(20) NOT NULL CHECK (type IN ('remnawave','marzban','xui')),
      base_url varchar(500) NOT NULL,
      credentials_ciphertext text NOT NULL,
      credentials_key_version integer NOT NULL,
      settings jsonb NOT NULL DEFAULT '{}'::jsonb,
      location varchar(100),
      capacity integer NOT NULL DEFAULT 1000 CHECK (capacity >= 0),
      active_users integer NOT NULL DEFAULT 0,
      is_active boolean NOT NULL DEFAULT true,
      last_health_at timestamptz,
      last_health_ok boolean,
      ${TS}
    )`);
    await q.query(`CREATE INDEX vpn_panels_location_idx ON vpn_panels(location) WHERE is_active`);
    await makePlatformTable(q, 'vpn_panels');

    await q.query(`CREATE TABLE admin_audit_log (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      actor varchar(100) NOT NULL,
      action varchar(100) NOT NULL,
      target_type varchar(50),
      target_id varchar(100),
      target_bot_id uuid,
      before jsonb,
      after jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX admin_audit_log_created_idx ON admin_audit_log(created_at)`);
    await makePlatformTable(q, 'admin_audit_log');

    // ---------- keyed by bot, written by the operator (RLS: tenants read their own) ----------
    await q.query(`CREATE TABLE tenant_wallet_ledger (
      ${ID}, ${BOT},
      type varchar(20) NOT NULL CHECK (type IN ('top_up','charge','hold','capture','release','adjustment','refund')),
      amount_minor bigint NOT NULL,
      balance_after_minor bigint NOT NULL,
      held_after_minor bigint NOT NULL DEFAULT 0,
      reference varchar(200),
      note varchar(500),
      idempotency_key varchar(200) NOT NULL,
      created_by varchar(100) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (bot_id, idempotency_key), UNIQUE (bot_id, id)
    )`);
    await q.query(`CREATE INDEX tenant_wallet_ledger_bot_created_idx ON tenant_wallet_ledger(bot_id, created_at)`);

    await q.query(`CREATE TABLE wholesale_prices (
      ${BOT} PRIMARY KEY,
      per_plan_minor bigint NOT NULL DEFAULT 0 CHECK (per_plan_minor >= 0),
      per_gb_minor bigint NOT NULL DEFAULT 0 CHECK (per_gb_minor >= 0),
      per_day_minor bigint NOT NULL DEFAULT 0 CHECK (per_day_minor >= 0),
      unlimited_traffic_gb integer NOT NULL DEFAULT 0 CHECK (unlimited_traffic_gb >= 0),
      ${TS}
    )`);

    await q.query(`CREATE TABLE feature_allowances (
      ${BOT},
      feature_key varchar(100) NOT NULL,
      allowed boolean NOT NULL DEFAULT true,
      ${TS},
      PRIMARY KEY (bot_id, feature_key)
    )`);

    // ---------- tenant tables ----------
    await q.query(`CREATE TABLE bot_feature_flags (
      ${BOT},
      feature_key varchar(100) NOT NULL,
      enabled boolean NOT NULL DEFAULT false,
      config jsonb NOT NULL DEFAULT '{}'::jsonb,
      ${TS},
      PRIMARY KEY (bot_id, feature_key)
    )`);
    await q.query(`CREATE TABLE bot_configurations (
      ${BOT},
      config_key varchar(100) NOT NULL,
      config_value jsonb NOT NULL,
      ${TS},
      PRIMARY KEY (bot_id, config_key)
    )`);
    await q.query(`CREATE TABLE bot_admins (
      ${BOT},
      telegram_id bigint NOT NULL,
      is_owner boolean NOT NULL DEFAULT false,
      ${TS},
      PRIMARY KEY (bot_id, telegram_id)
    )`);

    await q.query(`CREATE TABLE tenant_payment_cards (
      ${ID}, ${BOT},
      card_number varchar(19) NOT NULL CHECK (card_number ~ '^[0-9]{12,19}$'),
      card_holder_name varchar(100) NOT NULL,
      bank_name varchar(100),
      rotation_strategy varchar(20) NOT NULL DEFAULT 'round_robin'
        CHECK (rotation_strategy IN ('round_robin','random','time_based','weighted')),
      rotation_interval_minutes integer NOT NULL DEFAULT 60 CHECK (rotation_interval_minutes BETWEEN 1 AND 10080),
      weight integer NOT NULL DEFAULT 1 CHECK (weight BETWEEN 0 AND 1000),
      daily_limit_minor bigint CHECK (daily_limit_minor > 0),
      success_count integer NOT NULL DEFAULT 0,
      failure_count integer NOT NULL DEFAULT 0,
      current_usage_count integer NOT NULL DEFAULT 0,
      last_used_at timestamptz,
      is_active boolean NOT NULL DEFAULT true,
      deleted_at timestamptz,
      ${TS},
      UNIQUE (bot_id, id)
    )`);
    await q.query(
      `CREATE INDEX tenant_payment_cards_active_idx ON tenant_payment_cards(bot_id, is_active) WHERE deleted_at IS NULL`,
    );
    await q.query(`CREATE TABLE card_daily_usage (
      ${BOT},
      card_id uuid NOT NULL,
      day date NOT NULL,
      amount_minor bigint NOT NULL DEFAULT 0,
      picks integer NOT NULL DEFAULT 0,
      PRIMARY KEY (bot_id, card_id, day),
      FOREIGN KEY (bot_id, card_id) REFERENCES tenant_payment_cards(bot_id, id) ON DELETE CASCADE
    )`);
    await q.query(`CREATE TABLE card_rotation_state (
      ${BOT} PRIMARY KEY,
      cursor bigint NOT NULL DEFAULT 0,
      current_card_id uuid,
      switched_at timestamptz,
      ${TS}
    )`);

    await q.query(`CREATE TABLE bot_plans (
      ${ID}, ${BOT},
      name jsonb NOT NULL,
      period_days integer NOT NULL CHECK (period_days BETWEEN 1 AND 3650),
      price_minor bigint NOT NULL CHECK (price_minor >= 0),
      traffic_limit_gb integer NOT NULL DEFAULT 0 CHECK (traffic_limit_gb >= 0),
      device_limit integer NOT NULL DEFAULT 1 CHECK (device_limit BETWEEN 0 AND 100),
      panel_id uuid REFERENCES vpn_panels(id) ON DELETE SET NULL,
      location varchar(100),
      sort_order integer NOT NULL DEFAULT 0,
      is_active boolean NOT NULL DEFAULT true,
      is_trial boolean NOT NULL DEFAULT false,
      deleted_at timestamptz,
      ${TS},
      UNIQUE (bot_id, id)
    )`);
    await q.query(
      `CREATE INDEX bot_plans_active_idx ON bot_plans(bot_id, sort_order) WHERE is_active AND deleted_at IS NULL`,
    );

    await q.query(`CREATE TABLE promo_groups (
      ${ID}, ${BOT},
      name varchar(100) NOT NULL,
      discount_percent integer NOT NULL DEFAULT 0 CHECK (discount_percent BETWEEN 0 AND 100),
      ${TS},
      UNIQUE (bot_id, name), UNIQUE (bot_id, id)
    )`);

    await q.query(`CREATE TABLE users (
      ${ID}, ${BOT},
      telegram_id bigint NOT NULL,
      username varchar(64),
      first_name varchar(200),
      last_name varchar(200),
      language_code varchar(16),
      language varchar(5) CHECK (language IN ('fa','en','ru')),
      status varchar(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active','blocked')),
      bot_blocked_at timestamptz,
      referral_code varchar(16) NOT NULL,
      referrer_id uuid,
      referred_via varchar(64),
      promo_group_id uuid,
      balance_minor bigint NOT NULL DEFAULT 0,
      trial_used_at timestamptz,
      last_seen_at timestamptz,
      ${TS},
      UNIQUE (bot_id, telegram_id), UNIQUE (bot_id, referral_code), UNIQUE (bot_id, id),
      FOREIGN KEY (bot_id, referrer_id) REFERENCES users(bot_id, id) ON DELETE SET NULL (referrer_id),
      FOREIGN KEY (bot_id, promo_group_id) REFERENCES promo_groups(bot_id, id) ON DELETE SET NULL (promo_group_id)
    )`);
    await q.query(`CREATE INDEX users_bot_created_idx ON users(bot_id, created_at)`);
    await q.query(`CREATE INDEX users_bot_username_idx ON users(bot_id, lower(username))`);

    await q.query(`CREATE TABLE subscriptions (
      ${ID}, ${BOT},
      user_id uuid NOT NULL,
      plan_id uuid,
      panel_id uuid REFERENCES vpn_panels(id) ON DELETE SET NULL,
      panel_username varchar(64),
      subscription_url text,
      traffic_limit_bytes bigint NOT NULL DEFAULT 0,
      traffic_used_bytes bigint NOT NULL DEFAULT 0,
      device_limit integer NOT NULL DEFAULT 1,
      starts_at timestamptz,
      expires_at timestamptz,
      status varchar(20) NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending','active','expired','disabled','failed')),
      auto_renew boolean NOT NULL DEFAULT false,
      is_trial boolean NOT NULL DEFAULT false,
      last_synced_at timestamptz,
      ${TS},
      UNIQUE (bot_id, id),
      FOREIGN KEY (bot_id, user_id) REFERENCES users(bot_id, id) ON DELETE CASCADE,
      FOREIGN KEY (bot_id, plan_id) REFERENCES bot_plans(bot_id, id) ON DELETE SET NULL (plan_id)
    )`);
    await q.query(`CREATE INDEX subscriptions_bot_user_idx ON subscriptions(bot_id, user_id)`);
    await q.query(`CREATE INDEX subscriptions_bot_status_expires_idx ON subscriptions(bot_id, status, expires_at)`);

    await q.query(`CREATE TABLE promocodes (
      ${ID}, ${BOT},
      code varchar(32) NOT NULL,
      kind varchar(20) NOT NULL CHECK (kind IN ('percent','fixed','extra_days','balance')),
      value bigint NOT NULL CHECK (value > 0),
      max_uses integer CHECK (max_uses > 0),
      per_user_limit integer NOT NULL DEFAULT 1 CHECK (per_user_limit > 0),
      uses_count integer NOT NULL DEFAULT 0,
      valid_from timestamptz,
      valid_until timestamptz,
      is_active boolean NOT NULL DEFAULT true,
      promo_group_id uuid,
      ${TS},
      UNIQUE (bot_id, code), UNIQUE (bot_id, id),
      FOREIGN KEY (bot_id, promo_group_id) REFERENCES promo_groups(bot_id, id) ON DELETE SET NULL (promo_group_id)
    )`);

    await q.query(`CREATE TABLE orders (
      ${ID}, ${BOT},
      user_id uuid NOT NULL,
      plan_id uuid NOT NULL,
      subscription_id uuid,
      kind varchar(20) NOT NULL DEFAULT 'new' CHECK (kind IN ('new','renewal','trial')),
      status varchar(20) NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending','paid','fulfilling','fulfilled','rejected','expired','failed','refunded')),
      payment_method varchar(20) CHECK (payment_method IN ('card_to_card','zarinpal','stars','wallet','free')),
      amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
      currency char(3) NOT NULL,
      discount_minor bigint NOT NULL DEFAULT 0,
      promocode_id uuid,
      wholesale_minor bigint NOT NULL DEFAULT 0,
      traffic_bytes bigint NOT NULL DEFAULT 0,
      period_days integer NOT NULL,
      idempotency_key varchar(200) NOT NULL,
      paid_at timestamptz,
      fulfilled_at timestamptz,
      failure_reason varchar(500),
      ${TS},
      UNIQUE (bot_id, id), UNIQUE (bot_id, idempotency_key),
      FOREIGN KEY (bot_id, user_id) REFERENCES users(bot_id, id) ON DELETE CASCADE,
      FOREIGN KEY (bot_id, plan_id) REFERENCES bot_plans(bot_id, id),
      FOREIGN KEY (bot_id, subscription_id) REFERENCES subscriptions(bot_id, id),
      FOREIGN KEY (bot_id, promocode_id) REFERENCES promocodes(bot_id, id)
    )`);
    await q.query(`CREATE INDEX orders_bot_status_idx ON orders(bot_id, status, created_at)`);
    await q.query(`CREATE INDEX orders_bot_user_idx ON orders(bot_id, user_id)`);

    await q.query(`CREATE TABLE transactions (
      ${ID}, ${BOT},
      user_id uuid NOT NULL,
      type varchar(20) NOT NULL CHECK (type IN ('deposit','purchase','refund','referral','promo','adjustment')),
      amount_minor bigint NOT NULL,
      balance_after_minor bigint NOT NULL CHECK (balance_after_minor >= 0),
      reference varchar(200),
      order_id uuid,
      note varchar(500),
      idempotency_key varchar(200) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (bot_id, idempotency_key), UNIQUE (bot_id, id),
      FOREIGN KEY (bot_id, user_id) REFERENCES users(bot_id, id) ON DELETE CASCADE,
      FOREIGN KEY (bot_id, order_id) REFERENCES orders(bot_id, id)
    )`);
    await q.query(`CREATE INDEX transactions_bot_user_idx ON transactions(bot_id, user_id, created_at)`);

    await q.query(`CREATE TABLE card_to_card_payments (
      ${ID}, ${BOT},
      user_id uuid NOT NULL,
      order_id uuid NOT NULL,
      card_id uuid,
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      tracking_number varchar(32) NOT NULL,
      status varchar(20) NOT NULL DEFAULT 'awaiting_receipt'
        CHECK (status IN ('awaiting_receipt','pending','approved','rejected','expired')),
      receipt_type varchar(10) CHECK (receipt_type IN ('photo','text')),
      receipt_text varchar(1000),
      receipt_file_id varchar(255),
      receipt_file_unique_id varchar(128),
      is_flagged boolean NOT NULL DEFAULT false,
      expires_at timestamptz NOT NULL,
      reviewed_by varchar(100),
      reviewed_at timestamptz,
      rejection_reason varchar(500),
      admin_notes varchar(1000),
      review_chat_id bigint,
      review_message_id integer,
      ${TS},
      UNIQUE (bot_id, tracking_number), UNIQUE (bot_id, id),
      FOREIGN KEY (bot_id, user_id) REFERENCES users(bot_id, id) ON DELETE CASCADE,
      FOREIGN KEY (bot_id, order_id) REFERENCES orders(bot_id, id),
      FOREIGN KEY (bot_id, card_id) REFERENCES tenant_payment_cards(bot_id, id)
    )`);
    await q.query(`CREATE INDEX card_payments_bot_status_idx ON card_to_card_payments(bot_id, status, expires_at)`);
    await q.query(
      `CREATE INDEX card_payments_bot_receipt_idx ON card_to_card_payments(bot_id, receipt_file_unique_id)`,
    );

    await q.query(`CREATE TABLE zarinpal_payments (
      ${ID}, ${BOT},
      user_id uuid NOT NULL,
      order_id uuid NOT NULL,
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      authority varchar(64),
      ref_id varchar(64),
      card_pan varchar(32),
      status varchar(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','paid','failed','expired')),
      callback_url text,
      ${TS},
      UNIQUE (bot_id, authority), UNIQUE (bot_id, id),
      FOREIGN KEY (bot_id, user_id) REFERENCES users(bot_id, id) ON DELETE CASCADE,
      FOREIGN KEY (bot_id, order_id) REFERENCES orders(bot_id, id)
    )`);

    await q.query(`CREATE TABLE stars_payments (
      ${ID}, ${BOT},
      user_id uuid NOT NULL,
      order_id uuid NOT NULL,
      amount_stars integer NOT NULL CHECK (amount_stars > 0),
      invoice_payload varchar(128) NOT NULL,
      telegram_payment_charge_id varchar(255),
      status varchar(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','paid','refunded')),
      refunded_at timestamptz,
      ${TS},
      UNIQUE (bot_id, telegram_payment_charge_id), UNIQUE (bot_id, invoice_payload), UNIQUE (bot_id, id),
      FOREIGN KEY (bot_id, user_id) REFERENCES users(bot_id, id) ON DELETE CASCADE,
      FOREIGN KEY (bot_id, order_id) REFERENCES orders(bot_id, id)
    )`);

    await q.query(`CREATE TABLE promocode_uses (
      ${ID}, ${BOT},
      promocode_id uuid NOT NULL,
      user_id uuid NOT NULL,
      order_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (bot_id, id),
      FOREIGN KEY (bot_id, promocode_id) REFERENCES promocodes(bot_id, id) ON DELETE CASCADE,
      FOREIGN KEY (bot_id, user_id) REFERENCES users(bot_id, id) ON DELETE CASCADE,
      FOREIGN KEY (bot_id, order_id) REFERENCES orders(bot_id, id)
    )`);
    await q.query(`CREATE INDEX promocode_uses_bot_code_user_idx ON promocode_uses(bot_id, promocode_id, user_id)`);

    await q.query(`CREATE TABLE referral_earnings (
      ${ID}, ${BOT},
      referrer_id uuid NOT NULL,
      referred_id uuid NOT NULL,
      order_id uuid NOT NULL,
      amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (bot_id, order_id), UNIQUE (bot_id, id),
      FOREIGN KEY (bot_id, referrer_id) REFERENCES users(bot_id, id) ON DELETE CASCADE,
      FOREIGN KEY (bot_id, referred_id) REFERENCES users(bot_id, id) ON DELETE CASCADE,
      FOREIGN KEY (bot_id, order_id) REFERENCES orders(bot_id, id)
    )`);

    await q.query(`CREATE TABLE tickets (
      ${ID}, ${BOT},
      number integer NOT NULL,
      user_id uuid NOT NULL,
      subject varchar(200),
      status varchar(20) NOT NULL DEFAULT 'open' CHECK (status IN ('open','answered','closed')),
      ${TS},
      UNIQUE (bot_id, number), UNIQUE (bot_id, id),
      FOREIGN KEY (bot_id, user_id) REFERENCES users(bot_id, id) ON DELETE CASCADE
    )`);
    await q.query(`CREATE TABLE ticket_messages (
      ${ID}, ${BOT},
      ticket_id uuid NOT NULL,
      sender varchar(10) NOT NULL CHECK (sender IN ('user','admin')),
      sender_telegram_id bigint,
      text varchar(4000) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (bot_id, id),
      FOREIGN KEY (bot_id, ticket_id) REFERENCES tickets(bot_id, id) ON DELETE CASCADE
    )`);
    await q.query(`CREATE INDEX ticket_messages_bot_ticket_idx ON ticket_messages(bot_id, ticket_id, created_at)`);

    await q.query(`CREATE TABLE broadcasts (
      ${ID}, ${BOT},
      text varchar(4000) NOT NULL,
      filter jsonb NOT NULL DEFAULT '{}'::jsonb,
      status varchar(20) NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued','running','completed','cancelled','failed')),
      total integer NOT NULL DEFAULT 0,
      sent integer NOT NULL DEFAULT 0,
      failed integer NOT NULL DEFAULT 0,
      blocked integer NOT NULL DEFAULT 0,
      created_by varchar(100) NOT NULL,
      finished_at timestamptz,
      ${TS},
      UNIQUE (bot_id, id)
    )`);
    await q.query(`CREATE TABLE broadcast_deliveries (
      ${BOT},
      broadcast_id uuid NOT NULL,
      user_id uuid NOT NULL,
      status varchar(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed','blocked')),
      error varchar(300),
      sent_at timestamptz,
      PRIMARY KEY (bot_id, broadcast_id, user_id),
      FOREIGN KEY (bot_id, broadcast_id) REFERENCES broadcasts(bot_id, id) ON DELETE CASCADE,
      FOREIGN KEY (bot_id, user_id) REFERENCES users(bot_id, id) ON DELETE CASCADE
    )`);

    await q.query(`CREATE TABLE sent_notifications (
      ${ID}, ${BOT},
      user_id uuid NOT NULL,
      subscription_id uuid,
      kind varchar(50) NOT NULL,
      dedupe_key varchar(200) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (bot_id, dedupe_key), UNIQUE (bot_id, id),
      FOREIGN KEY (bot_id, user_id) REFERENCES users(bot_id, id) ON DELETE CASCADE,
      FOREIGN KEY (bot_id, subscription_id) REFERENCES subscriptions(bot_id, id) ON DELETE CASCADE
    )`);
    await q.query(`CREATE TABLE subscription_events (
      ${ID}, ${BOT},
      subscription_id uuid NOT NULL,
      type varchar(50) NOT NULL,
      data jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (bot_id, id),
      FOREIGN KEY (bot_id, subscription_id) REFERENCES subscriptions(bot_id, id) ON DELETE CASCADE
    )`);
    await q.query(
      `CREATE INDEX subscription_events_bot_sub_idx ON subscription_events(bot_id, subscription_id, created_at)`,
    );

    await q.query(`CREATE TABLE processed_updates (
      ${BOT},
      update_id bigint NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (bot_id, update_id)
    )`);
    await q.query(`CREATE INDEX processed_updates_processed_at_idx ON processed_updates(bot_id, processed_at)`);

    await q.query(`CREATE TABLE audit_logs (
      ${ID}, ${BOT},
      actor_type varchar(20) NOT NULL CHECK (actor_type IN ('tenant_api','master','bot_admin','system')),
      actor_id varchar(100) NOT NULL,
      action varchar(100) NOT NULL,
      target_type varchar(50),
      target_id varchar(100),
      before jsonb,
      after jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (bot_id, id)
    )`);
    await q.query(`CREATE INDEX audit_logs_bot_created_idx ON audit_logs(bot_id, created_at)`);

    for (const t of TENANT_TABLES) await makeTenantTable(q, t);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [...TENANT_TABLES].reverse()) await q.query(`DROP TABLE IF EXISTS "${t}" CASCADE`);
    for (const t of ['admin_audit_log', 'vpn_panels', 'invites', 'bots'])
      await q.query(`DROP TABLE IF EXISTS "${t}" CASCADE`);
  }
}

const TENANT_TABLES = [
  'tenant_wallet_ledger',
  'wholesale_prices',
  'feature_allowances',
  'bot_feature_flags',
  'bot_configurations',
  'bot_admins',
  'tenant_payment_cards',
  'card_daily_usage',
  'card_rotation_state',
  'bot_plans',
  'promo_groups',
  'users',
  'subscriptions',
  'promocodes',
  'orders',
  'transactions',
  'card_to_card_payments',
  'zarinpal_payments',
  'stars_payments',
  'promocode_uses',
  'referral_earnings',
  'tickets',
  'ticket_messages',
  'broadcasts',
  'broadcast_deliveries',
  'sent_notifications',
  'subscription_events',
  'processed_updates',
  'audit_logs',
];
