import { MigrationInterface, QueryRunner } from 'typeorm';

const MAX_MINOR = '1000000000000000';
const MAX_SAFE = '9007199254740991';

/** Counters that only grow: 0..2^53-1; writers saturate at the top (existing rows are clamped first). */
const COUNTERS: [string, string][] = [
  ['bots', 'traffic_sold_bytes'],
  ['bots', 'traffic_consumed_bytes'],
  ['subscriptions', 'traffic_limit_bytes'],
  ['subscriptions', 'traffic_used_bytes'],
  ['orders', 'traffic_bytes'],
  ['card_daily_usage', 'amount_minor'],
  ['card_rotation_state', 'cursor'],
];

/** Counters whose writers add to them (a sale, a sync, a card's takings): saturated by a trigger. */
const SATURATED: Record<string, string[]> = {
  bots: ['traffic_sold_bytes', 'traffic_consumed_bytes'],
  subscriptions: ['traffic_limit_bytes', 'traffic_used_bytes'],
  card_daily_usage: ['amount_minor'],
};

/**
 * Balances and what is derived from them (a wallet's ledger rows, an order's wholesale cost): 0..2^53-1 (the
 * balance-overflow checks of top-ups and postings keep them there; each single input is within ±MAX_MINOR).
 */
const BALANCES: [string, string][] = [
  ['bots', 'wallet_balance_minor'],
  ['bots', 'wallet_held_minor'],
  ['tenant_wallet_ledger', 'balance_after_minor'],
  ['tenant_wallet_ledger', 'held_after_minor'],
  ['users', 'balance_minor'],
  ['transactions', 'balance_after_minor'],
  ['orders', 'wholesale_minor'],
];
const DERIVED_AMOUNTS: [string, string][] = [['tenant_wallet_ledger', 'amount_minor']];

/** Amounts: within ±MAX_MINOR (the columns' own sign rules stay). */
const AMOUNTS: [string, string][] = [
  ['transactions', 'amount_minor'],
  ['orders', 'amount_minor'],
  ['orders', 'discount_minor'],
  ['bot_plans', 'price_minor'],
  ['wholesale_prices', 'per_plan_minor'],
  ['wholesale_prices', 'per_gb_minor'],
  ['wholesale_prices', 'per_day_minor'],
  ['tenant_payment_cards', 'daily_limit_minor'],
  ['card_to_card_payments', 'amount_minor'],
  ['zarinpal_payments', 'amount_minor'],
  ['referral_earnings', 'amount_minor'],
  ['promocodes', 'value'],
];

/** Telegram ids and update ids: readable as JS numbers (Telegram keeps them within 52 bits). */
const IDS: [string, string][] = [
  ['bots', 'telegram_bot_id'],
  ['bots', 'owner_telegram_id'],
  ['bots', 'admin_chat_id'],
  ['bots', 'notification_group_id'],
  ['bot_admins', 'telegram_id'],
  ['users', 'telegram_id'],
  ['card_to_card_payments', 'review_chat_id'],
  ['ticket_messages', 'sender_telegram_id'],
  ['processed_updates', 'update_id'],
  ['processed_updates', 'telegram_bot_id'],
];

/** `<table>_<column>_range`: the API's error filter names the column of a violated range as the field. */
const rangeConstraint = (table: string, column: string) => `${table}_${column}_range`;

/**
 * Every bigint the application reads as a JS number gets a range, so no path (a bug, a panel's report, a
 * forgotten check) can write a row that cannot be read back: amounts within ±10^15 minor units, balances
 * 0..2^53-1, counters 0..2^53-1 (saturating), Telegram ids within ±(2^53-1).
 */
export class NumericRanges1764200000400 implements MigrationInterface {
  name = 'NumericRanges1764200000400';

  async up(q: QueryRunner): Promise<void> {
    for (const [t, c] of COUNTERS) {
      await q.query(
        `UPDATE ${t} SET ${c} = LEAST(GREATEST(${c}, 0), ${MAX_SAFE}) WHERE ${c} < 0 OR ${c} > ${MAX_SAFE}`,
      );
      await this.check(q, t, c, `${c} BETWEEN 0 AND ${MAX_SAFE}`);
    }
    // Whoever adds to a counter (a plain UPDATE, a SECURITY DEFINER function) gets the top of the range
    // instead of a failed sale or sync; the CHECK still refuses a negative value (a bug, not a report).
    for (const [t, cols] of Object.entries(SATURATED)) {
      await q.query(`CREATE FUNCTION botfleet_saturate_${t}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${cols.map((c) => `NEW.${c} := LEAST(NEW.${c}, ${MAX_SAFE});`).join('\n        ')}
        RETURN NEW;
      END $$`);
      await q.query(`CREATE TRIGGER ${t}_saturate_counters BEFORE INSERT OR UPDATE OF ${cols.join(', ')} ON ${t}
        FOR EACH ROW EXECUTE FUNCTION botfleet_saturate_${t}()`);
    }
    for (const [t, c] of BALANCES) await this.check(q, t, c, `${c} BETWEEN 0 AND ${MAX_SAFE}`);
    for (const [t, c] of DERIVED_AMOUNTS) await this.check(q, t, c, `${c} BETWEEN -${MAX_SAFE} AND ${MAX_SAFE}`);
    for (const [t, c] of AMOUNTS) await this.check(q, t, c, `${c} BETWEEN -${MAX_MINOR} AND ${MAX_MINOR}`);
    for (const [t, c] of IDS) await this.check(q, t, c, `${c} BETWEEN -${MAX_SAFE} AND ${MAX_SAFE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of Object.keys(SATURATED)) {
      await q.query(`DROP TRIGGER IF EXISTS ${t}_saturate_counters ON ${t}`);
      await q.query(`DROP FUNCTION IF EXISTS botfleet_saturate_${t}()`);
    }
    for (const [t, c] of [...COUNTERS, ...BALANCES, ...DERIVED_AMOUNTS, ...AMOUNTS, ...IDS]) {
      await q.query(`ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${rangeConstraint(t, c)}`);
    }
  }

  private async check(q: QueryRunner, table: string, column: string, condition: string): Promise<void> {
    await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${rangeConstraint(table, column)} CHECK (${condition})`);
  }
}
