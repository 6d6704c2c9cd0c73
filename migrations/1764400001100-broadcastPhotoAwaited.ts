import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A draft saved with `photoUploadFollows` waits for its picture (POST …/broadcasts/{id}/photo) before it is
 * previewed. The wait was only the absence of a preview job, so a draft whose upload never came looked like one
 * whose preview was late. `photo_awaited` records it: GET shows it, start refuses it with the reason, the preview
 * job leaves it alone. broadcasts keeps its forced row-level security and grants: a column changes neither.
 */
export class BroadcastPhotoAwaited1764400001100 implements MigrationInterface {
  name = 'BroadcastPhotoAwaited1764400001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE broadcasts ADD COLUMN photo_awaited boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE broadcasts DROP COLUMN photo_awaited`);
  }
}
