import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { BigIntColumn } from './columns';

export type TicketStatus = 'open' | 'answered' | 'closed';
/** Who opened a ticket: the customer in the bot, or the shop (an admin or the tenant's API) to the customer. */
export type TicketOpener = 'customer' | 'shop';

@Entity('tickets')
export class TicketEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  /** Per bot, 1, 2, 3 … in the order tickets were opened. */
  @Column({ type: 'int' }) number!: number;
  @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Column({ type: 'varchar', nullable: true }) subject!: string | null;
  @Column({ type: 'varchar' }) status!: TicketStatus;
  /** Who closed it (`<actor type>:<actor id>`, or `user:<user id>` for the customer). */
  @Column({ name: 'closed_by', type: 'varchar', nullable: true }) closedBy!: string | null;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt!: Date | null;
  @Column({ name: 'last_message_at', type: 'timestamptz' }) lastMessageAt!: Date;
  /** The admin chat message showing the customer's card: a reply to it answers this ticket. */
  @Column({ name: 'admin_chat_id', ...BigIntColumn({ nullable: true }) }) adminChatId!: number | null;
  @Column({ name: 'admin_message_id', ...BigIntColumn({ nullable: true }) }) adminMessageId!: number | null;
  /** The client's Idempotency-Key of a ticket the shop opened over the API (unique per bot); null otherwise. */
  @Column({ name: 'idempotency_key', type: 'varchar', nullable: true }) idempotencyKey!: string | null;
  @Column({ name: 'opened_by', type: 'varchar', default: 'customer' }) openedBy!: TicketOpener;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
