import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './columns';

/** One claimed Telegram update: update ids are numbered per Telegram bot, so the claim names the one that spoke. */
@Entity('processed_updates')
export class ProcessedUpdateEntity {
  @PrimaryColumn({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @PrimaryColumn({ name: 'telegram_bot_id', type: 'bigint', transformer: bigintNumber }) telegramBotId!: number;
  @PrimaryColumn({ name: 'update_id', type: 'bigint', transformer: bigintNumber }) updateId!: number;
  @CreateDateColumn({ name: 'processed_at', type: 'timestamptz' }) processedAt!: Date;
}
