import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hourly broadcast photo sweep looks, across every bot, for the few broadcasts still holding uploaded picture
 * bytes, the longest untouched first (AbandonedBroadcastPhotos): this index holds only those rows, so the sweep
 * never walks the whole broadcasts table.
 */
export class BroadcastPhotoUploadIndex1764400001110 implements MigrationInterface {
  name = 'BroadcastPhotoUploadIndex1764400001110';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX broadcasts_photo_upload_idx ON broadcasts(updated_at)
      WHERE photo_upload_type IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS broadcasts_photo_upload_idx`);
  }
}
