import { MigrationInterface, QueryRunner } from 'typeorm';
import { DB_ROLES } from '../libs/dal/src/migration/roles';

const APP = DB_ROLES.app;
/** What a tenant edits on its bot row (BotSettingsService, the currency configuration) and `updated_at`. */
const TENANT_SETTINGS_COLUMNS = [
  'name',
  'default_language',
  'currency',
  'support_username',
  'admin_chat_id',
  'admin_topic_id',
  'card_receipt_topic_id',
  'notification_group_id',
  'notification_topic_id',
  'updated_at',
];
const OWNER_TABLES = ['tenant_wallet_ledger', 'wholesale_prices', 'feature_allowances'];

/** The tenant's bot only: every function starts with this (owner-run code still checks who asks). */
const OWN_BOT = `IF p_bot IS DISTINCT FROM NULLIF(current_setting('app.bot_id', true), '')::uuid THEN
      RAISE EXCEPTION 'botfleet: another bot''s row' USING ERRCODE = '42501';
    END IF;`;
const DEFINER = `LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp`;

/**
 * Privileges are the second line behind row-level security. The application role reads its bot row but
 * updates only the settings a tenant edits (`TENANT_SETTINGS_COLUMNS`; any one column granted is also
 * what `SELECT … FOR NO KEY UPDATE` needs), and only reads the wholesale ledger, the wholesale price and
 * the feature allowances. Every tenant-path change of the rest goes through one of the narrow
 * `SECURITY DEFINER` functions below, each enforcing the rule it exists for; the operator's changes
 * (suspend, resume, allowances, prices, top-ups) run on the platform role.
 */
export class TenantPrivileges1764200000100 implements MigrationInterface {
  name = 'TenantPrivileges1764200000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE UPDATE ON bots FROM ${APP}`);
    await q.query(`GRANT UPDATE (${TENANT_SETTINGS_COLUMNS.join(', ')}) ON bots TO ${APP}`);
    for (const t of OWNER_TABLES) await q.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "${t}" FROM ${APP}`);

    // One ledger row carrying the new cached balance and hold; only the functions below call it.
    await q.query(`CREATE FUNCTION botfleet_wallet_append(
        b bots, p_type varchar, p_amount bigint, p_balance_delta bigint, p_held_delta bigint,
        p_key varchar, p_reference varchar, p_note varchar, p_created_by varchar)
      RETURNS TABLE (applied boolean, balance_minor bigint, held_minor bigint, entry_id uuid) ${DEFINER} AS $$
    DECLARE v_id uuid;
    BEGIN
      INSERT INTO tenant_wallet_ledger
          (bot_id, type, amount_minor, balance_after_minor, held_after_minor, idempotency_key, reference, note, created_by)
        VALUES (b.id, p_type, p_amount, b.wallet_balance_minor + p_balance_delta, b.wallet_held_minor + p_held_delta,
                p_key, p_reference, p_note, p_created_by)
        RETURNING id INTO v_id;
      UPDATE bots SET wallet_balance_minor = wallet_balance_minor + p_balance_delta,
                      wallet_held_minor = wallet_held_minor + p_held_delta, updated_at = now()
        WHERE id = b.id;
      RETURN QUERY SELECT true, b.wallet_balance_minor + p_balance_delta, b.wallet_held_minor + p_held_delta, v_id;
    END $$`);

    // The bot row locked FOR NO KEY UPDATE (BOT_ROW_LOCK): every wallet move of a bot is serial.
    await q.query(`CREATE FUNCTION botfleet_wallet_locked_bot(p_bot uuid) RETURNS bots ${DEFINER} AS $$
    DECLARE b bots;
    BEGIN
      ${OWN_BOT}
      SELECT * INTO b FROM bots WHERE id = p_bot FOR NO KEY UPDATE;
      IF NOT FOUND THEN RAISE EXCEPTION 'botfleet: bot not found' USING ERRCODE = 'P0002'; END IF;
      RETURN b;
    END $$`);

    // Hold: the order's wholesale cost moves from free to held, once per order, never past the free balance.
    await q.query(`CREATE FUNCTION botfleet_wallet_hold(p_bot uuid, p_order uuid, p_amount bigint)
      RETURNS TABLE (applied boolean, balance_minor bigint, held_minor bigint) ${DEFINER} AS $$
    DECLARE b bots := botfleet_wallet_locked_bot(p_bot);
    BEGIN
      IF p_amount <= 0 OR EXISTS (SELECT 1 FROM tenant_wallet_ledger
                                   WHERE bot_id = p_bot AND idempotency_key = 'order:' || p_order || ':hold') THEN
        RETURN QUERY SELECT false, b.wallet_balance_minor, b.wallet_held_minor; RETURN;
      END IF;
      IF NOT EXISTS (SELECT 1 FROM orders WHERE bot_id = p_bot AND id = p_order) THEN
        RAISE EXCEPTION 'botfleet: a hold needs its order' USING ERRCODE = 'P0002';
      END IF;
      IF b.wallet_balance_minor - b.wallet_held_minor < p_amount THEN
        RAISE EXCEPTION 'botfleet: the free balance cannot cover this hold' USING ERRCODE = '23514';
      END IF;
      RETURN QUERY SELECT a.applied, a.balance_minor, a.held_minor FROM botfleet_wallet_append(
        b, 'hold', p_amount, 0, p_amount, 'order:' || p_order || ':hold', 'order:' || p_order, NULL, 'system') a;
    END $$`);

    // Capture or release: settles the order's hold once (either, never both); a capture counts the traffic
    // sold. A release is refused while the order stands sold (paid, fulfilling, fulfilled).
    await q.query(`CREATE FUNCTION botfleet_wallet_settle(p_bot uuid, p_order uuid, p_kind varchar, p_traffic bigint)
      RETURNS TABLE (applied boolean, balance_minor bigint, held_minor bigint) ${DEFINER} AS $$
    DECLARE
      b bots := botfleet_wallet_locked_bot(p_bot);
      v_hold bigint;
    BEGIN
      IF p_kind NOT IN ('capture', 'release') OR p_traffic < 0 THEN
        RAISE EXCEPTION 'botfleet: unknown settlement' USING ERRCODE = '22023';
      END IF;
      IF p_kind = 'release' AND EXISTS (SELECT 1 FROM orders WHERE bot_id = p_bot AND id = p_order
                                          AND status IN ('paid', 'fulfilling', 'fulfilled')) THEN
        RAISE EXCEPTION 'botfleet: a sold order''s hold is captured, not released' USING ERRCODE = '42501';
      END IF;
      IF EXISTS (SELECT 1 FROM tenant_wallet_ledger WHERE bot_id = p_bot
                  AND idempotency_key IN ('order:' || p_order || ':capture', 'order:' || p_order || ':release')) THEN
        RETURN QUERY SELECT false, b.wallet_balance_minor, b.wallet_held_minor; RETURN;
      END IF;
      IF p_kind = 'capture' AND p_traffic > 0 THEN
        UPDATE bots SET traffic_sold_bytes = traffic_sold_bytes + p_traffic WHERE id = p_bot;
      END IF;
      SELECT amount_minor INTO v_hold FROM tenant_wallet_ledger
        WHERE bot_id = p_bot AND idempotency_key = 'order:' || p_order || ':hold';
      IF NOT FOUND THEN
        RETURN QUERY SELECT false, b.wallet_balance_minor, b.wallet_held_minor; RETURN;
      END IF;
      IF p_kind = 'capture' THEN
        RETURN QUERY SELECT a.applied, a.balance_minor, a.held_minor FROM botfleet_wallet_append(
          b, 'capture', -v_hold, -v_hold, -v_hold, 'order:' || p_order || ':capture', 'order:' || p_order, NULL, 'system') a;
      ELSE
        RETURN QUERY SELECT a.applied, a.balance_minor, a.held_minor FROM botfleet_wallet_append(
          b, 'release', v_hold, 0, -v_hold, 'order:' || p_order || ':release', 'order:' || p_order, NULL, 'system') a;
      END IF;
    END $$`);

    // Reverse: a captured wholesale cost comes back once, only for an order that failed after approval.
    await q.query(`CREATE FUNCTION botfleet_wallet_reverse(p_bot uuid, p_order uuid)
      RETURNS TABLE (applied boolean, balance_minor bigint, held_minor bigint) ${DEFINER} AS $$
    DECLARE
      b bots := botfleet_wallet_locked_bot(p_bot);
      v_capture bigint;
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM orders WHERE bot_id = p_bot AND id = p_order AND status IN ('failed', 'refunded')) THEN
        RAISE EXCEPTION 'botfleet: a wholesale refund needs a failed order' USING ERRCODE = '42501';
      END IF;
      SELECT amount_minor INTO v_capture FROM tenant_wallet_ledger
        WHERE bot_id = p_bot AND idempotency_key = 'order:' || p_order || ':capture';
      IF NOT FOUND OR EXISTS (SELECT 1 FROM tenant_wallet_ledger
                               WHERE bot_id = p_bot AND idempotency_key = 'order:' || p_order || ':wholesale-refund') THEN
        RETURN QUERY SELECT false, b.wallet_balance_minor, b.wallet_held_minor; RETURN;
      END IF;
      RETURN QUERY SELECT a.applied, a.balance_minor, a.held_minor FROM botfleet_wallet_append(
        b, 'refund', -v_capture, -v_capture, 0, 'order:' || p_order || ':wholesale-refund', 'order:' || p_order, NULL,
        'system') a;
    END $$`);

    // The operator's top-up, run by the platform role as itself (SECURITY INVOKER: it bypasses row-level
    // security, the application role may not call it): credits once per key; the same key changes nothing.
    await q.query(`CREATE FUNCTION botfleet_wallet_top_up(
        p_bot uuid, p_key varchar, p_amount bigint, p_note varchar, p_created_by varchar)
      RETURNS TABLE (applied boolean, balance_minor bigint, held_minor bigint, entry_id uuid)
      LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
    DECLARE
      b bots;
      v_id uuid;
    BEGIN
      IF p_amount <= 0 THEN RAISE EXCEPTION 'botfleet: a top-up is positive' USING ERRCODE = '22023'; END IF;
      SELECT * INTO b FROM bots WHERE id = p_bot FOR NO KEY UPDATE;
      IF NOT FOUND THEN RAISE EXCEPTION 'botfleet: bot not found' USING ERRCODE = 'P0002'; END IF;
      SELECT id INTO v_id FROM tenant_wallet_ledger WHERE bot_id = p_bot AND idempotency_key = p_key;
      IF FOUND THEN
        RETURN QUERY SELECT false, b.wallet_balance_minor, b.wallet_held_minor, v_id; RETURN;
      END IF;
      INSERT INTO tenant_wallet_ledger
          (bot_id, type, amount_minor, balance_after_minor, held_after_minor, idempotency_key, note, created_by)
        VALUES (p_bot, 'top_up', p_amount, b.wallet_balance_minor + p_amount, b.wallet_held_minor, p_key, p_note,
                p_created_by)
        RETURNING id INTO v_id;
      UPDATE bots SET wallet_balance_minor = wallet_balance_minor + p_amount, updated_at = now() WHERE id = p_bot;
      RETURN QUERY SELECT true, b.wallet_balance_minor + p_amount, b.wallet_held_minor, v_id;
    END $$`);

    // The tenant's own status moves: pause and resume, only between active and paused.
    await q.query(`CREATE FUNCTION botfleet_bot_set_status(p_bot uuid, p_status varchar) RETURNS void ${DEFINER} AS $$
    DECLARE v_from varchar;
    BEGIN
      ${OWN_BOT}
      SELECT status INTO v_from FROM bots WHERE id = p_bot FOR NO KEY UPDATE;
      IF v_from IS NULL OR v_from NOT IN ('active', 'paused') OR p_status NOT IN ('active', 'paused') THEN
        RAISE EXCEPTION 'botfleet: a tenant cannot move its bot from % to %', v_from, p_status USING ERRCODE = '42501';
      END IF;
      UPDATE bots SET status = p_status, updated_at = now() WHERE id = p_bot;
    END $$`);

    // Soft delete: the bot stops for good and its API token dies.
    await q.query(`CREATE FUNCTION botfleet_bot_delete(p_bot uuid) RETURNS void ${DEFINER} AS $$
    BEGIN
      ${OWN_BOT}
      UPDATE bots SET status = 'deleted', deleted_at = now(), api_token_hash = NULL, api_token_prefix = NULL,
                      updated_at = now()
        WHERE id = p_bot AND status <> 'deleted';
    END $$`);

    // API token rotation: a new SHA-256 hash (never cleared this way), for a bot that is not deleted.
    await q.query(`CREATE FUNCTION botfleet_bot_set_api_token(p_bot uuid, p_hash varchar, p_prefix varchar)
      RETURNS void ${DEFINER} AS $$
    BEGIN
      ${OWN_BOT}
      IF p_hash IS NULL OR p_hash !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'botfleet: an API token hash is 64 hex digits' USING ERRCODE = '22023';
      END IF;
      UPDATE bots SET api_token_hash = p_hash, api_token_prefix = p_prefix, updated_at = now()
        WHERE id = p_bot AND status <> 'deleted';
    END $$`);

    // Telegram token replacement (after getMe accepted it); a bot stopped as token_invalid runs again.
    await q.query(`CREATE FUNCTION botfleet_bot_replace_telegram_token(p_bot uuid, p_telegram_bot_id bigint,
        p_username varchar, p_ciphertext text, p_key_version integer, p_hash varchar) RETURNS void ${DEFINER} AS $$
    BEGIN
      ${OWN_BOT}
      UPDATE bots SET telegram_bot_id = p_telegram_bot_id, telegram_username = p_username,
                      telegram_token_ciphertext = p_ciphertext, telegram_token_key_version = p_key_version,
                      telegram_token_hash = p_hash,
                      status = CASE WHEN status = 'token_invalid' THEN 'active' ELSE status END, updated_at = now()
        WHERE id = p_bot AND status <> 'deleted';
    END $$`);

    for (const fn of FUNCTIONS) await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
    for (const fn of TENANT_FUNCTIONS) await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO ${APP}`);
    await q.query(`GRANT EXECUTE ON FUNCTION botfleet_wallet_top_up(uuid, varchar, bigint, varchar, varchar)
      TO ${DB_ROLES.platform}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const fn of [...FUNCTIONS].reverse()) await q.query(`DROP FUNCTION ${fn}`);
    for (const t of OWNER_TABLES) await q.query(`GRANT INSERT, UPDATE, DELETE ON "${t}" TO ${APP}`);
    await q.query(`REVOKE UPDATE ON bots FROM ${APP}`);
    await q.query(`GRANT UPDATE ON bots TO ${APP}`);
  }
}

const TENANT_FUNCTIONS = [
  'botfleet_wallet_hold(uuid, uuid, bigint)',
  'botfleet_wallet_settle(uuid, uuid, varchar, bigint)',
  'botfleet_wallet_reverse(uuid, uuid)',
  'botfleet_bot_set_status(uuid, varchar)',
  'botfleet_bot_delete(uuid)',
  'botfleet_bot_set_api_token(uuid, varchar, varchar)',
  'botfleet_bot_replace_telegram_token(uuid, bigint, varchar, text, integer, varchar)',
];
const FUNCTIONS = [
  'botfleet_wallet_append(bots, varchar, bigint, bigint, bigint, varchar, varchar, varchar, varchar)',
  'botfleet_wallet_locked_bot(uuid)',
  ...TENANT_FUNCTIONS,
  'botfleet_wallet_top_up(uuid, varchar, bigint, varchar, varchar)',
];
