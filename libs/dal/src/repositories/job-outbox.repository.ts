import { Injectable } from '@nestjs/common';
import { TenantDb } from '../tenant-context';

/**
 * `job_outbox` on the tenant path: a queue job written beside the change it announces (same transaction),
 * and forgotten once it is queued. The cross-tenant relay of stale rows is in libs/platform.
 */
@Injectable()
export class JobOutboxRepository {
  constructor(private readonly db: TenantDb) {}

  /** Joins the caller's transaction for `botId`; a second row with the same job id is ignored. */
  async record(botId: string, jobName: string, jobId: string, payload: object): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(
        `INSERT INTO job_outbox (bot_id, job_name, job_id, payload) VALUES ($1, $2, $3, $4)
       ON CONFLICT (bot_id, job_id) DO NOTHING`,
        [botId, jobName, jobId, payload],
      ),
    );
  }

  async forget(botId: string, jobId: string): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(`DELETE FROM job_outbox WHERE bot_id = $1 AND job_id = $2`, [botId, jobId]),
    );
  }
}
