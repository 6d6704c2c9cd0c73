import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hourly broadcast photo sweep also looks, across every bot, for drafts that have waited too long for a picture
 * (AbandonedBroadcastPhotos.awaitingTooLong): this index holds only drafts still waiting, so it never walks the whole
 * broadcasts table.
 */
export class BroadcastPhotoAwaitedIndex1764400001210 implements MigrationInterface {
  name = 'BroadcastPhotoAwaitedIndex1764400001210';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX broadcasts_photo_awaited_idx ON broadcasts(updated_at)
      WHERE status = 'draft' AND photo_awaited`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS broadcasts_photo_awaited_idx`);
  }
}
