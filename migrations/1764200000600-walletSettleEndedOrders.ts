import { MigrationInterface, QueryRunner } from 'typeorm';

const DEFINER = `LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp`;
const SIGNATURE = `botfleet_wallet_settle(p_bot uuid, p_order uuid, p_kind varchar, p_traffic bigint)
      RETURNS TABLE (applied boolean, balance_minor bigint, held_minor bigint)`;

/**
 * The body of `botfleet_wallet_settle` (migration TenantPrivileges), with this migration's rules spliced in
 * (`rules` once the settlement so far is known, `noHold` once the hold is); both empty give the old function.
 */
const settle = (rules: string, noHold: string) => `CREATE OR REPLACE FUNCTION ${SIGNATURE} ${DEFINER} AS $$
    DECLARE
      b bots := botfleet_wallet_locked_bot(p_bot);
      v_hold bigint;
      v_status varchar;
      v_wholesale bigint;
      v_settled varchar;
    BEGIN
      IF p_kind NOT IN ('capture', 'release') OR p_traffic < 0 THEN
        RAISE EXCEPTION 'botfleet: unknown settlement' USING ERRCODE = '22023';
      END IF;
      SELECT status, wholesale_minor INTO v_status, v_wholesale FROM orders WHERE bot_id = p_bot AND id = p_order;
      IF p_kind = 'release' AND v_status IN ('paid', 'fulfilling', 'fulfilled') THEN
        RAISE EXCEPTION 'botfleet: a sold order''s hold is captured, not released' USING ERRCODE = '42501';
      END IF;
      SELECT split_part(idempotency_key, ':', 3) INTO v_settled FROM tenant_wallet_ledger WHERE bot_id = p_bot
        AND idempotency_key IN ('order:' || p_order || ':capture', 'order:' || p_order || ':release') LIMIT 1;
      ${rules}
      IF v_settled IS NOT NULL THEN
        RETURN QUERY SELECT false, b.wallet_balance_minor, b.wallet_held_minor; RETURN;
      END IF;
      SELECT amount_minor INTO v_hold FROM tenant_wallet_ledger
        WHERE bot_id = p_bot AND idempotency_key = 'order:' || p_order || ':hold';
      ${noHold}
      IF p_kind = 'capture' AND p_traffic > 0 THEN
        UPDATE bots SET traffic_sold_bytes = traffic_sold_bytes + p_traffic WHERE id = p_bot;
      END IF;
      IF v_hold IS NULL THEN
        RETURN QUERY SELECT false, b.wallet_balance_minor, b.wallet_held_minor; RETURN;
      END IF;
      IF p_kind = 'capture' THEN
        RETURN QUERY SELECT a.applied, a.balance_minor, a.held_minor FROM botfleet_wallet_append(
          b, 'capture', -v_hold, -v_hold, -v_hold, 'order:' || p_order || ':capture', 'order:' || p_order, NULL, 'system') a;
      ELSE
        RETURN QUERY SELECT a.applied, a.balance_minor, a.held_minor FROM botfleet_wallet_append(
          b, 'release', v_hold, 0, -v_hold, 'order:' || p_order || ':release', 'order:' || p_order, NULL, 'system') a;
      END IF;
    END $$`;

/**
 * A capture of a released hold is refused (the sale would skip its wholesale charge); a release is refused
 * unless the order has already ended (expired, rejected, failed, refunded) in this transaction — a pending
 * order can still be paid. A settled order stays settled: a release after a capture changes nothing.
 */
const ENDED_ONLY = `IF p_kind = 'capture' AND v_settled = 'release' THEN
        RAISE EXCEPTION 'botfleet: this order''s hold was released; it cannot be captured' USING ERRCODE = '42501';
      END IF;
      IF p_kind = 'release' AND v_settled IS NULL
         AND coalesce(v_status, 'missing') NOT IN ('expired', 'rejected', 'failed', 'refunded') THEN
        RAISE EXCEPTION 'botfleet: a hold is released only for an ended order, not one %', coalesce(v_status, 'missing')
          USING ERRCODE = '42501';
      END IF;`;
/** A sale with a wholesale cost whose hold was never taken is not captured for free. */
const NO_HOLD_CAPTURE = `IF p_kind = 'capture' AND v_hold IS NULL AND coalesce(v_wholesale, 0) > 0 THEN
        RAISE EXCEPTION 'botfleet: this order''s wholesale cost was never held; it cannot be captured'
          USING ERRCODE = '42501';
      END IF;`;

/**
 * Closes the last way round the wholesale charge on the tenant path: `botfleet_wallet_settle` released the
 * hold of an order still `pending`, after which the order could be paid and its capture found nothing to
 * take. Now a release needs an ended order and a capture needs the hold (ENDED_ONLY, NO_HOLD_CAPTURE).
 */
export class WalletSettleEndedOrders1764200000600 implements MigrationInterface {
  name = 'WalletSettleEndedOrders1764200000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(settle(ENDED_ONLY, NO_HOLD_CAPTURE));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(settle('', ''));
  }
}
