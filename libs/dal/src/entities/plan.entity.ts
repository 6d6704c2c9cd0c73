import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { BigIntColumn } from './columns';

@Entity('bot_plans')
export class PlanEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ type: 'jsonb' }) name!: Partial<Record<'fa' | 'en' | 'ru', string>>;
  @Column({ name: 'period_days', type: 'int' }) periodDays!: number;
  @Column({ name: 'price_minor', ...BigIntColumn() }) priceMinor!: number;
  /** Price in Telegram Stars (XTR); null = not sold for Stars. */
  @Column({ name: 'price_stars', type: 'int', nullable: true }) priceStars!: number | null;
  @Column({ name: 'traffic_limit_gb', type: 'int' }) trafficLimitGb!: number;
  @Column({ name: 'device_limit', type: 'int' }) deviceLimit!: number;
  @Column({ name: 'panel_id', type: 'uuid', nullable: true }) panelId!: string | null;
  @Column({ type: 'varchar', nullable: true }) location!: string | null;
  @Column({ name: 'sort_order', type: 'int' }) sortOrder!: number;
  @Column({ name: 'is_active', type: 'boolean' }) isActive!: boolean;
  @Column({ name: 'is_trial', type: 'boolean' }) isTrial!: boolean;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
