import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '@botfleet/testing';
import { GatewayPaymentRefundPendingIndex1764400001120 as RefundPendingIndex } from '../../../../migrations/1764400001120-gatewayPaymentRefundPendingIndex';

const INDEX = 'gateway_payments_refund_pending_idx';

/**
 * The partial index of payments still marked `telegramRefundPending`: created by the migrations, used by the scan
 * that looks for the mark (the planner told to avoid sequential scans, as on a large table), and its migration goes
 * down and up again.
 */
describe('migration GatewayPaymentRefundPendingIndex', () => {
  let db: TestDatabase;
  let owner: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    owner = await db.owner();
  });

  afterAll(async () => {
    await db?.drop();
  });

  const exists = async () =>
    (await owner.query(`SELECT 1 FROM pg_indexes WHERE tablename = 'gateway_payments' AND indexname = $1`, [INDEX]))
      .length === 1;

  /** The plan of `sql` with sequential scans priced out, in one transaction (the setting goes with it). */
  async function plan(sql: string, params: unknown[]): Promise<string> {
    return owner.transaction(async (m) => {
      await m.query(`SET LOCAL enable_seqscan = off`);
      const rows: { 'QUERY PLAN': string }[] = await m.query(`EXPLAIN ${sql}`, params);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }

  it('is there after the migrations and serves the scan for the mark', async () => {
    expect(await exists()).toBe(true);
    // GatewayPaymentRepository.idsMarked: one bot's marked payments, least recently changed first. (The directory's
    // scan across bots ORs the mark with the open statuses: it walks the gateway's payments by its unique key.)
    expect(
      await plan(
        `SELECT id FROM gateway_payments WHERE bot_id = $1 AND gateway = $2 AND details ? $3 ORDER BY updated_at LIMIT $4`,
        [randomUUID(), 'stars', 'telegramRefundPending', 20],
      ),
    ).toContain(INDEX);
  });

  it('goes down and up again', async () => {
    const runner = owner.createQueryRunner();
    try {
      await new RefundPendingIndex().down(runner);
      expect(await exists()).toBe(false);
      await new RefundPendingIndex().up(runner);
      expect(await exists()).toBe(true);
    } finally {
      await runner.release();
    }
  });
});
