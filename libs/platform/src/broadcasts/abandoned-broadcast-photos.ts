import { Injectable } from '@nestjs/common';
import { PlatformDb } from '../platform-db';

/** A broadcast holding uploaded picture bytes nobody will send any more. */
export interface AbandonedBroadcastPhoto {
  botId: string;
  broadcastId: string;
}

/**
 * Broadcasts across every bot (platform path) whose uploaded picture bytes (`photo_upload`) are no longer worth
 * keeping: a draft untouched for longer than the age given (its preview never took them to Telegram), or a
 * broadcast that already has its `photo` (the file_id) or is no draft any more. The worker's sweep asks here,
 * then drops each one's bytes in its own tenant (BroadcastRunsService.dropAbandonedPhoto), which checks again.
 */
@Injectable()
export class AbandonedBroadcastPhotos {
  constructor(private readonly platform: PlatformDb) {}

  /** Up to `limit` of them, the longest untouched first. */
  async find(maxAgeMs: number, limit: number): Promise<AbandonedBroadcastPhoto[]> {
    const rows: { bot_id: string; id: string }[] = await this.platform.manager.query(
      `SELECT bot_id, id FROM broadcasts
        WHERE photo_upload_type IS NOT NULL
          AND (status <> 'draft' OR photo IS NOT NULL
               OR updated_at < now() - make_interval(secs => $1::double precision / 1000))
        ORDER BY updated_at
        LIMIT $2`,
      [maxAgeMs, limit],
    );
    return rows.map((r) => ({ botId: r.bot_id, broadcastId: r.id }));
  }

  /**
   * Up to `limit` drafts, across every bot, that have waited for their picture (`photo_awaited`) untouched for
   * longer than `maxAgeMs`, the longest first: the sweep ends each in its own tenant
   * (BroadcastRunsService.endPhotoNeverCame, which checks again).
   */
  async awaitingTooLong(maxAgeMs: number, limit: number): Promise<AbandonedBroadcastPhoto[]> {
    const rows: { bot_id: string; id: string }[] = await this.platform.manager.query(
      `SELECT bot_id, id FROM broadcasts
        WHERE status = 'draft' AND photo_awaited AND photo_upload_type IS NULL
          AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY updated_at
        LIMIT $2`,
      [maxAgeMs, limit],
    );
    return rows.map((r) => ({ botId: r.bot_id, broadcastId: r.id }));
  }
}
