import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A broadcast made from the bot's `/broadcast` flow carries the key of the composed message it was made from
 * (`draft_key`: the admin and the draft their audience buttons belong to). The unique index per bot is the claim:
 * the insert is `ON CONFLICT DO NOTHING`, so a double tap makes one broadcast, and a claim never outlives a
 * rolled-back insert (it was a Redis flag taken before the insert, left set by a crash in between). API drafts
 * have no key. broadcasts keeps its forced row-level security and grants: a column changes neither.
 */
export class BroadcastDraftKey1764400001200 implements MigrationInterface {
  name = 'BroadcastDraftKey1764400001200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE broadcasts ADD COLUMN draft_key varchar(100) NULL`);
    await q.query(`CREATE UNIQUE INDEX broadcasts_draft_key_uq ON broadcasts(bot_id, draft_key)
      WHERE draft_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS broadcasts_draft_key_uq`);
    await q.query(`ALTER TABLE broadcasts DROP COLUMN draft_key`);
  }
}
