import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { BigIntColumn } from './columns';

@Entity('wholesale_prices')
export class WholesalePriceEntity {
  @PrimaryColumn({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ name: 'per_plan_minor', ...BigIntColumn() }) perPlanMinor!: number;
  @Column({ name: 'per_gb_minor', ...BigIntColumn() }) perGbMinor!: number;
  @Column({ name: 'per_day_minor', ...BigIntColumn() }) perDayMinor!: number;
  @Column({ name: 'unlimited_traffic_gb', type: 'int' }) unlimitedTrafficGb!: number;
  /** Charged per free trial given (0 = trials cost the shop nothing); the trial's traffic still counts as sold. */
  @Column({ name: 'trial_minor', ...BigIntColumn() }) trialMinor!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
