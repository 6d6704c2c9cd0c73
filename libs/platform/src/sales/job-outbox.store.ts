import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PlatformDb } from '../platform-db';

export interface OutboxRow {
  botId: string;
  jobName: string;
  jobId: string;
  payload: Record<string, unknown>;
}

/** `job_outbox` across every bot (platform path): the rows the worker's relay queues after a crash. */
@Injectable()
export class JobOutboxStore {
  constructor(private readonly platform: PlatformDb) {}

  /**
   * Writes a job to the outbox inside the caller's platform transaction (an operator's change to a bot): it is
   * queued after the commit, or by the relay if the process dies first; once per job id.
   */
  async record(m: EntityManager, botId: string, jobName: string, jobId: string, payload: object): Promise<void> {
    await m.query(
      `INSERT INTO job_outbox (bot_id, job_name, job_id, payload) VALUES ($1, $2, $3, $4)
       ON CONFLICT (bot_id, job_id) DO NOTHING`,
      [botId, jobName, jobId, payload],
    );
  }

  /** Rows written at or before `before`, oldest first. */
  async writtenBefore(before: Date, limit: number): Promise<OutboxRow[]> {
    const rows: { bot_id: string; job_name: string; job_id: string; payload: Record<string, unknown> }[] =
      await this.platform.manager.query(
        `SELECT bot_id, job_name, job_id, payload FROM job_outbox WHERE created_at <= $1 ORDER BY created_at LIMIT $2`,
        [before, limit],
      );
    return rows.map((r) => ({ botId: r.bot_id, jobName: r.job_name, jobId: r.job_id, payload: r.payload }));
  }
}
