import { MigrationInterface, QueryRunner } from 'typeorm';

const MAX_MINOR = '1000000000000000';
const MAX_SAFE = '9007199254740991';

/** Amounts of this session's new tables: within ±10^15 minor units, like every other amount. */
const AMOUNTS: [string, string][] = [['gateway_payments', 'amount_minor']];

/** Telegram chat, user and message ids of this session's new columns: readable as JS numbers. */
const IDS: [string, string][] = [
  ['broadcasts', 'preview_telegram_id'],
  ['broadcasts', 'progress_chat_id'],
  ['tickets', 'admin_chat_id'],
  ['tickets', 'admin_message_id'],
  ['ticket_messages', 'admin_chat_id'],
  ['ticket_messages', 'admin_message_id'],
];

const rangeConstraint = (table: string, column: string) => `${table}_${column}_range`;

/**
 * The range CHECKs of NumericRanges1764200000400 for the bigint columns added since (gateway payments,
 * broadcasts, tickets): no path can write a value the application cannot read back as a number.
 */
export class NewColumnRanges1764300000900 implements MigrationInterface {
  name = 'NewColumnRanges1764300000900';

  async up(q: QueryRunner): Promise<void> {
    for (const [t, c] of AMOUNTS) {
      await q.query(
        `ALTER TABLE ${t} ADD CONSTRAINT ${rangeConstraint(t, c)} CHECK (${c} BETWEEN -${MAX_MINOR} AND ${MAX_MINOR})`,
      );
    }
    for (const [t, c] of IDS) {
      await q.query(
        `ALTER TABLE ${t} ADD CONSTRAINT ${rangeConstraint(t, c)} CHECK (${c} BETWEEN -${MAX_SAFE} AND ${MAX_SAFE})`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [t, c] of [...AMOUNTS, ...IDS]) {
      await q.query(`ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${rangeConstraint(t, c)}`);
    }
  }
}
