import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A message that must go out once is not always to one of the bot's users: the end of a broadcast whose bot
 * cannot speak any more is told to the bot's owner through the master bot, once however many runs end it
 * (BroadcastRunsService.claimEndReport). Such a row has no user. The foreign key to users stays for the rest.
 */
export class SentNotificationWithoutUser1764400000800 implements MigrationInterface {
  name = 'SentNotificationWithoutUser1764400000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sent_notifications ALTER COLUMN user_id DROP NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM sent_notifications WHERE user_id IS NULL`);
    await q.query(`ALTER TABLE sent_notifications ALTER COLUMN user_id SET NOT NULL`);
  }
}
