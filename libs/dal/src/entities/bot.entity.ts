import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { BigIntColumn } from './columns';

@Entity('bots')
export class BotEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar' }) name!: string;
  @Column({ name: 'is_master', type: 'boolean', default: false }) isMaster!: boolean;
  @Column({ type: 'varchar' }) status!: 'active' | 'paused' | 'suspended' | 'token_invalid' | 'deleted';
  @Column({ name: 'telegram_bot_id', ...BigIntColumn() }) telegramBotId!: number;
  @Column({ name: 'telegram_username', type: 'varchar' }) telegramUsername!: string;
  @Column({ name: 'telegram_token_ciphertext', type: 'text' }) telegramTokenCiphertext!: string;
  @Column({ name: 'telegram_token_key_version', type: 'int' }) telegramTokenKeyVersion!: number;
  @Column({ name: 'telegram_token_hash', type: 'char' }) telegramTokenHash!: string;
  @Column({ name: 'api_token_hash', type: 'char', nullable: true }) apiTokenHash!: string | null;
  @Column({ name: 'api_token_prefix', type: 'varchar', nullable: true }) apiTokenPrefix!: string | null;
  @Column({ name: 'owner_telegram_id', ...BigIntColumn() }) ownerTelegramId!: number;
  @Column({ name: 'default_language', type: 'varchar' }) defaultLanguage!: 'fa' | 'en' | 'ru';
  @Column({ type: 'char' }) currency!: string;
  @Column({ name: 'support_username', type: 'varchar', nullable: true }) supportUsername!: string | null;
  @Column({ name: 'admin_chat_id', ...BigIntColumn({ nullable: true }) }) adminChatId!: number | null;
  @Column({ name: 'admin_topic_id', type: 'int', nullable: true }) adminTopicId!: number | null;
  @Column({ name: 'card_receipt_topic_id', type: 'int', nullable: true }) cardReceiptTopicId!: number | null;
  @Column({ name: 'notification_group_id', ...BigIntColumn({ nullable: true }) }) notificationGroupId!: number | null;
  @Column({ name: 'notification_topic_id', type: 'int', nullable: true }) notificationTopicId!: number | null;
  @Column({ name: 'wallet_balance_minor', ...BigIntColumn() }) walletBalanceMinor!: number;
  @Column({ name: 'wallet_held_minor', ...BigIntColumn() }) walletHeldMinor!: number;
  @Column({ name: 'traffic_consumed_bytes', ...BigIntColumn() }) trafficConsumedBytes!: number;
  @Column({ name: 'traffic_sold_bytes', ...BigIntColumn() }) trafficSoldBytes!: number;
  @Column({ name: 'webhook_secret_salt', type: 'varchar' }) webhookSecretSalt!: string;
  @Column({ name: 'created_by', type: 'varchar', nullable: true }) createdBy!: string | null;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
