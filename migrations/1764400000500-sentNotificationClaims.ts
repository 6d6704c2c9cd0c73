import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A claim on a message that must go out once can now say whether its send finished: `done` is false while the
 * claiming attempt sends, and `claimed_at` is when it took it. A claim left undone past a staleness (the worker
 * died between the claim and the send, or its release failed) is taken over by the next attempt
 * (SentNotificationRepository.claimLease). Rows written before, and the plain `claim`/`recordOnce` that
 * mark a message sent at once, keep `done = true`: nothing ever takes those again.
 */
export class SentNotificationClaims1764400000500 implements MigrationInterface {
  name = 'SentNotificationClaims1764400000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sent_notifications
      ADD COLUMN claimed_at timestamptz,
      ADD COLUMN done boolean NOT NULL DEFAULT true,
      ADD CONSTRAINT sent_notifications_undone_claimed CHECK (done OR claimed_at IS NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sent_notifications
      DROP CONSTRAINT sent_notifications_undone_claimed,
      DROP COLUMN done,
      DROP COLUMN claimed_at`);
  }
}
