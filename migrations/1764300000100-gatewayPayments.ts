import { MigrationInterface, QueryRunner } from 'typeorm';
import { makeTenantTable } from '../libs/dal/src/migration/tenant-table';

/**
 * One table for the online payments of every gateway (libs/payments): Zarinpal, Telegram Stars, CryptoBot and
 * whatever comes next. It replaces the seed design's per-gateway tables `zarinpal_payments` and `stars_payments`,
 * which nothing ever wrote (they are dropped). `external_id` is the gateway's own id (Zarinpal authority, Stars
 * charge id, Crypto Pay invoice id), unique per gateway across every bot: a callback names exactly one payment.
 * `orders.payment_method` takes any gateway name (a gateway is one folder plus its feature key).
 */
export class GatewayPayments1764300000100 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE gateway_payments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      bot_id uuid NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
      user_id uuid NOT NULL,
      gateway varchar(20) NOT NULL CHECK (gateway ~ '^[a-z][a-z0-9_]{1,19}$'),
      purpose varchar(10) NOT NULL CHECK (purpose IN ('order','topup')),
      order_id uuid,
      amount_minor bigint NOT NULL CHECK (amount_minor > 0 AND amount_minor <= 1000000000000000),
      currency char(3) NOT NULL,
      gateway_amount numeric(38,9) NOT NULL CHECK (gateway_amount > 0),
      gateway_unit varchar(10) NOT NULL,
      external_id varchar(255),
      gateway_ref varchar(255),
      status varchar(20) NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending','paid','failed','expired','refunded')),
      credited_to varchar(10) CHECK (credited_to IN ('order','wallet')),
      failure_reason varchar(500),
      details jsonb NOT NULL DEFAULT '{}'::jsonb,
      expires_at timestamptz NOT NULL,
      paid_at timestamptz,
      refunded_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((purpose = 'order') = (order_id IS NOT NULL)),
      CHECK ((status IN ('paid','refunded')) = (paid_at IS NOT NULL)),
      UNIQUE (gateway, external_id), UNIQUE (bot_id, id),
      FOREIGN KEY (bot_id, user_id) REFERENCES users(bot_id, id) ON DELETE CASCADE,
      FOREIGN KEY (bot_id, order_id) REFERENCES orders(bot_id, id)
    )`);
    await q.query(`CREATE INDEX gateway_payments_bot_status_idx ON gateway_payments(bot_id, gateway, status, created_at)`);
    await q.query(`CREATE INDEX gateway_payments_bot_user_idx ON gateway_payments(bot_id, user_id, created_at)`);
    await q.query(`CREATE INDEX gateway_payments_bot_order_idx ON gateway_payments(bot_id, order_id)`);
    await q.query(`CREATE INDEX gateway_payments_bot_created_idx ON gateway_payments(bot_id, created_at)`);
    await makeTenantTable(q, 'gateway_payments');

    await q.query(`DROP TABLE zarinpal_payments`);
    await q.query(`DROP TABLE stars_payments`);

    await q.query(`ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_payment_method_check`);
    await q.query(`ALTER TABLE orders ADD CONSTRAINT orders_payment_method_check
      CHECK (payment_method ~ '^[a-z][a-z0-9_]{1,19}$')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_payment_method_check`);
    await q.query(`ALTER TABLE orders ADD CONSTRAINT orders_payment_method_check
      CHECK (payment_method IN ('card_to_card','zarinpal','stars','wallet','free'))`);
    await q.query(`DROP TABLE gateway_payments`);
    await q.query(`CREATE TABLE zarinpal_payments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      bot_id uuid NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
      user_id uuid NOT NULL,
      order_id uuid NOT NULL,
      amount_minor bigint NOT NULL CHECK (amount_minor > 0),
      authority varchar(64),
      ref_id varchar(64),
      card_pan varchar(32),
      status varchar(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','paid','failed','expired')),
      callback_url text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (bot_id, authority), UNIQUE (bot_id, id),
      FOREIGN KEY (bot_id, user_id) REFERENCES users(bot_id, id) ON DELETE CASCADE,
      FOREIGN KEY (bot_id, order_id) REFERENCES orders(bot_id, id)
    )`);
    await q.query(`CREATE TABLE stars_payments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      bot_id uuid NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
      user_id uuid NOT NULL,
      order_id uuid NOT NULL,
      amount_stars integer NOT NULL CHECK (amount_stars > 0),
      invoice_payload varchar(128) NOT NULL,
      telegram_payment_charge_id varchar(255),
      status varchar(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','paid','refunded')),
      refunded_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (bot_id, telegram_payment_charge_id), UNIQUE (bot_id, invoice_payload), UNIQUE (bot_id, id),
      FOREIGN KEY (bot_id, user_id) REFERENCES users(bot_id, id) ON DELETE CASCADE,
      FOREIGN KEY (bot_id, order_id) REFERENCES orders(bot_id, id)
    )`);
    await makeTenantTable(q, 'zarinpal_payments');
    await makeTenantTable(q, 'stars_payments');
  }
}
