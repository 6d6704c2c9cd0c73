import { MigrationInterface, QueryRunner } from 'typeorm';
import { DB_ROLES } from '../libs/dal/src/migration/roles';

const SIGNATURE = 'botfleet_wallet_adjust(uuid, bigint, varchar, varchar, varchar)';

/**
 * The operator's correction of a tenant's wholesale wallet: a signed `adjustment` ledger row (a mistyped
 * top-up taken back, a charge outside the product). It runs beside `botfleet_wallet_top_up`, on the platform
 * role as itself (SECURITY INVOKER with its search_path pinned: the owner role does not bypass the forced
 * row-level security, the platform role does), and only the platform role may execute it.
 *
 * Under the bot row's lock (BOT_ROW_LOCK): one row per key; the same key with the same amount and note answers
 * the first row (`replayed`), with anything else `key_reused`; a debit that would take the free balance
 * (balance - held) below zero is `insufficient`, a credit past 2^53-1 `out_of_range`. A refusal writes nothing.
 */
export class WalletAdjust1764400001800 implements MigrationInterface {
  name = 'WalletAdjust1764400001800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION botfleet_wallet_adjust(
        p_bot uuid, p_amount bigint, p_key varchar, p_note varchar, p_created_by varchar)
      RETURNS TABLE (outcome varchar, balance_minor bigint, held_minor bigint, entry_id uuid)
      LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
    DECLARE
      b bots;
      e tenant_wallet_ledger;
      v_id uuid;
    BEGIN
      IF p_amount IS NULL OR p_amount = 0 THEN
        RAISE EXCEPTION 'botfleet: an adjustment is non-zero' USING ERRCODE = '22023';
      END IF;
      IF p_key IS NULL OR p_note IS NULL OR btrim(p_note) = '' THEN
        RAISE EXCEPTION 'botfleet: an adjustment needs a key and a note' USING ERRCODE = '22023';
      END IF;
      SELECT * INTO b FROM bots WHERE id = p_bot FOR NO KEY UPDATE;
      IF NOT FOUND OR b.status = 'deleted' THEN
        RAISE EXCEPTION 'botfleet: bot not found' USING ERRCODE = 'P0002';
      END IF;
      SELECT * INTO e FROM tenant_wallet_ledger WHERE bot_id = p_bot AND idempotency_key = p_key;
      IF FOUND THEN
        IF e.type = 'adjustment' AND e.amount_minor = p_amount AND e.note IS NOT DISTINCT FROM p_note THEN
          RETURN QUERY SELECT 'replayed'::varchar, b.wallet_balance_minor, b.wallet_held_minor, e.id; RETURN;
        END IF;
        RETURN QUERY SELECT 'key_reused'::varchar, b.wallet_balance_minor, b.wallet_held_minor, NULL::uuid; RETURN;
      END IF;
      IF b.wallet_balance_minor + p_amount - b.wallet_held_minor < 0 THEN
        RETURN QUERY SELECT 'insufficient'::varchar, b.wallet_balance_minor, b.wallet_held_minor, NULL::uuid; RETURN;
      END IF;
      IF b.wallet_balance_minor + p_amount > 9007199254740991 THEN
        RETURN QUERY SELECT 'out_of_range'::varchar, b.wallet_balance_minor, b.wallet_held_minor, NULL::uuid; RETURN;
      END IF;
      INSERT INTO tenant_wallet_ledger
          (bot_id, type, amount_minor, balance_after_minor, held_after_minor, idempotency_key, note, created_by)
        VALUES (p_bot, 'adjustment', p_amount, b.wallet_balance_minor + p_amount, b.wallet_held_minor, p_key, p_note,
                p_created_by)
        RETURNING id INTO v_id;
      UPDATE bots SET wallet_balance_minor = wallet_balance_minor + p_amount, updated_at = now() WHERE id = p_bot;
      RETURN QUERY SELECT 'applied'::varchar, b.wallet_balance_minor + p_amount, b.wallet_held_minor, v_id;
    END $$`);
    await q.query(`REVOKE ALL ON FUNCTION ${SIGNATURE} FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION ${SIGNATURE} TO ${DB_ROLES.platform}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS ${SIGNATURE}`);
  }
}
