import { MigrationInterface, QueryRunner } from 'typeorm';
import { DB_ROLES } from '../libs/dal/src/migration/roles';

const APP = DB_ROLES.app;

/**
 * A broadcast's deliveries are found by key, whatever the planner believes of the table.
 *
 * Right after a broadcast starts its deliveries are new, and PostgreSQL's statistics say "about one row" for the
 * broadcast. The planner then took the (bot_id, broadcast_id, status) index for everything: a lease read all the
 * broadcast's pending rows and sorted them instead of walking the pending index in user order, and every update by
 * key scanned the broadcast (in B5, 40–270 ms a step at 10,000 users, most of PostgreSQL's work).
 *
 * - The status index goes: a lease then has only the pending index, in user order. The counters and the end of a
 *   broadcast read all its rows through the primary key anyway; the `sending` rows (interruptStale, completeIfDone)
 *   get their own partial index (BroadcastSendingIndex1764400003000).
 *   Every status change writes one index entry less.
 * - `botfleet_analyze_broadcast_deliveries()` refreshes the table's statistics once a large broadcast has started,
 *   so updates by key probe the primary key instead of scanning the broadcast. ANALYZE is the table owner's; the
 *   function is the one thing of it the application role may do (no arguments, nothing read or written); it waits
 *   at most 500 ms for the table's maintenance lock (below deadlock_timeout, so a running autovacuum is not cancelled).
 */
export class BroadcastDeliveriesByKey1764400001500 implements MigrationInterface {
  name = 'BroadcastDeliveriesByKey1764400001500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS broadcast_deliveries_status_idx`);
    await q.query(`CREATE FUNCTION botfleet_analyze_broadcast_deliveries() RETURNS void
      LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp SET lock_timeout = '500ms'
      AS 'ANALYZE broadcast_deliveries'`);
    await q.query(`REVOKE ALL ON FUNCTION botfleet_analyze_broadcast_deliveries() FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION botfleet_analyze_broadcast_deliveries() TO ${APP}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS botfleet_analyze_broadcast_deliveries()`);
    await q.query(
      `CREATE INDEX IF NOT EXISTS broadcast_deliveries_status_idx ON broadcast_deliveries(bot_id, broadcast_id, status)`,
    );
  }
}
