import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The deliveries of a broadcast marked `sending` (at most a run's sends in flight and marked ahead): found at the start
 * of every chunk (interruptStale) and after it (completeIfDone) without walking the broadcast's sent rows — with the
 * status index gone (BroadcastDeliveriesByKey), both read every delivery of the broadcast, once per chunk.
 */
export class BroadcastSendingIndex1764400003000 implements MigrationInterface {
  name = 'BroadcastSendingIndex1764400003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS broadcast_deliveries_sending_idx
      ON broadcast_deliveries(bot_id, broadcast_id, user_id) WHERE status = 'sending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS broadcast_deliveries_sending_idx`);
  }
}
