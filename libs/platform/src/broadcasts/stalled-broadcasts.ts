import { Injectable } from '@nestjs/common';
import { PlatformDb } from '../platform-db';

/** A running broadcast and the number of the job that should be carrying it. */
export interface StalledBroadcast {
  botId: string;
  broadcastId: string;
  chunk: number;
}

/**
 * Running broadcasts that have not moved for a while, across every bot (platform path): the worker's sweep
 * asks here, then looks in the queue whether each one's job still exists and queues it again if not.
 */
@Injectable()
export class StalledBroadcasts {
  constructor(private readonly platform: PlatformDb) {}

  /** Running broadcasts whose progress (`updated_at`) is older than `quietMs`, the longest quiet first. */
  async find(quietMs: number, limit: number): Promise<StalledBroadcast[]> {
    const rows: { bot_id: string; id: string; chunk: number }[] = await this.platform.manager.query(
      `SELECT bot_id, id, chunk FROM broadcasts
        WHERE status = 'running' AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY updated_at
        LIMIT $2`,
      [quietMs, limit],
    );
    return rows.map((r) => ({ botId: r.bot_id, broadcastId: r.id, chunk: r.chunk }));
  }
}
