import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { BigIntColumn } from './columns';

@Entity('subscriptions')
export class SubscriptionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Column({ name: 'plan_id', type: 'uuid', nullable: true }) planId!: string | null;
  @Column({ name: 'panel_id', type: 'uuid', nullable: true }) panelId!: string | null;
  @Column({ name: 'panel_username', type: 'varchar', nullable: true }) panelUsername!: string | null;
  @Column({ name: 'subscription_url', type: 'text', nullable: true }) subscriptionUrl!: string | null;
  @Column({ name: 'traffic_limit_bytes', ...BigIntColumn() }) trafficLimitBytes!: number;
  @Column({ name: 'traffic_used_bytes', ...BigIntColumn() }) trafficUsedBytes!: number;
  @Column({ name: 'device_limit', type: 'int' }) deviceLimit!: number;
  @Column({ name: 'starts_at', type: 'timestamptz', nullable: true }) startsAt!: Date | null;
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true }) expiresAt!: Date | null;
  @Column({ type: 'varchar' }) status!: 'pending' | 'active' | 'expired' | 'disabled' | 'failed';
  @Column({ name: 'auto_renew', type: 'boolean' }) autoRenew!: boolean;
  @Column({ name: 'is_trial', type: 'boolean' }) isTrial!: boolean;
  @Column({ name: 'last_synced_at', type: 'timestamptz', nullable: true }) lastSyncedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
