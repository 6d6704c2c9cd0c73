import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { BigIntColumn } from './columns';

@Entity('ticket_messages')
export class TicketMessageEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ name: 'ticket_id', type: 'uuid' }) ticketId!: string;
  @Column({ type: 'varchar' }) sender!: 'user' | 'admin';
  @Column({ name: 'sender_telegram_id', ...BigIntColumn({ nullable: true }) }) senderTelegramId!: number | null;
  /** The text, or a photo's caption (may then be empty). */
  @Column({ type: 'varchar' }) text!: string;
  /** A photo the customer or an admin sent (Telegram file_id of this bot). */
  @Column({ name: 'photo_file_id', type: 'varchar', nullable: true }) photoFileId!: string | null;
  /** Who wrote an admin message (`<actor type>:<actor id>`: a bot admin or the tenant's API). */
  @Column({ type: 'varchar', nullable: true }) author!: string | null;
  /** The admin chat message showing it (the customer's message as posted there, or the admin's own reply). */
  @Column({ name: 'admin_chat_id', ...BigIntColumn({ nullable: true }) }) adminChatId!: number | null;
  @Column({ name: 'admin_message_id', ...BigIntColumn({ nullable: true }) }) adminMessageId!: number | null;
  /** The client's Idempotency-Key of an answer over the API (unique per ticket): a retry returns this message. */
  @Column({ name: 'idempotency_key', type: 'varchar', nullable: true }) idempotencyKey!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
