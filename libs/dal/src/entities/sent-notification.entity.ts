import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('sent_notifications')
export class SentNotificationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  /** Null for a message to no user of the bot (a broadcast's end told to the bot's owner). */
  @Column({ name: 'user_id', type: 'uuid', nullable: true }) userId!: string | null;
  @Column({ name: 'subscription_id', type: 'uuid', nullable: true }) subscriptionId!: string | null;
  @Column({ type: 'varchar' }) kind!: string;
  @Column({ name: 'dedupe_key', type: 'varchar' }) dedupeKey!: string;
  /** When a leased claim was taken (SentNotificationRepository.claimLease); null for plain claims. */
  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true }) claimedAt!: Date | null;
  /** False while a leased claim's send is in flight; an undone claim past its staleness is taken over. */
  @Column({ type: 'boolean', default: true }) done!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
