import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { BigIntColumn } from './columns';

@Entity('tenant_payment_cards')
export class PaymentCardEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ name: 'card_number', type: 'varchar' }) cardNumber!: string;
  @Column({ name: 'card_holder_name', type: 'varchar' }) cardHolderName!: string;
  @Column({ name: 'bank_name', type: 'varchar', nullable: true }) bankName!: string | null;
  @Column({ name: 'rotation_strategy', type: 'varchar' }) rotationStrategy!:
    'round_robin' | 'random' | 'time_based' | 'weighted';
  @Column({ name: 'rotation_interval_minutes', type: 'int' }) rotationIntervalMinutes!: number;
  @Column({ type: 'int' }) weight!: number;
  @Column({ name: 'daily_limit_minor', ...BigIntColumn({ nullable: true }) }) dailyLimitMinor!: number | null;
  @Column({ name: 'success_count', type: 'int' }) successCount!: number;
  @Column({ name: 'failure_count', type: 'int' }) failureCount!: number;
  @Column({ name: 'current_usage_count', type: 'int' }) currentUsageCount!: number;
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true }) lastUsedAt!: Date | null;
  @Column({ name: 'is_active', type: 'boolean' }) isActive!: boolean;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
