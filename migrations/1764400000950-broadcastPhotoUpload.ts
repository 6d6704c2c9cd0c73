import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A draft's photo may be a file picked in the console (POST …/broadcasts/{id}/photo): its bytes wait on the
 * draft until the preview uploads them to Telegram, whose file_id then becomes the draft's `photo` and the
 * bytes are dropped (BroadcastRunsService.photoUploaded). A draft has a photo one way or the other, never both;
 * 5 MB at most. broadcasts keeps its forced row-level security and grants (BroadcastDrafts): columns change
 * neither.
 */
export class BroadcastPhotoUpload1764400000950 implements MigrationInterface {
  name = 'BroadcastPhotoUpload1764400000950';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE broadcasts
      ADD COLUMN photo_upload bytea,
      ADD COLUMN photo_upload_type varchar(20),
      ADD CONSTRAINT broadcasts_photo_upload_typed CHECK ((photo_upload IS NULL) = (photo_upload_type IS NULL)),
      ADD CONSTRAINT broadcasts_photo_upload_size CHECK (octet_length(photo_upload) <= 5242880),
      ADD CONSTRAINT broadcasts_one_photo CHECK (photo IS NULL OR photo_upload IS NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE broadcasts
      DROP CONSTRAINT broadcasts_one_photo,
      DROP CONSTRAINT broadcasts_photo_upload_size,
      DROP CONSTRAINT broadcasts_photo_upload_typed,
      DROP COLUMN photo_upload_type,
      DROP COLUMN photo_upload`);
  }
}
