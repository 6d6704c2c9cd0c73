import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('subscription_events')
export class SubscriptionEventEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ name: 'subscription_id', type: 'uuid' }) subscriptionId!: string;
  @Column({ type: 'varchar' }) type!: string;
  @Column({ type: 'jsonb' }) data!: Record<string, unknown>;
  /** Unique per bot when set: the idempotency record of applying one order (`order:<id>:extended`). */
  @Column({ name: 'dedupe_key', type: 'varchar', nullable: true }) dedupeKey!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
