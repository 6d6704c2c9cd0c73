import { Injectable } from '@nestjs/common';
import { PlatformDb } from '../platform-db';

/** Housekeeping of `processed_updates` across every bot (platform path). */
@Injectable()
export class ProcessedUpdatesStore {
  constructor(private readonly platform: PlatformDb) {}

  /** Deletes at most `batch` claims older than `olderThanHours`; returns how many. */
  async deleteOlderThan(olderThanHours: number, batch: number): Promise<number> {
    const res: [unknown[], number] = await this.platform.manager.query(
      `DELETE FROM processed_updates WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM processed_updates WHERE processed_at < now() - make_interval(hours => $1) LIMIT $2))`,
      [olderThanHours, batch],
    );
    return res[1];
  }
}
