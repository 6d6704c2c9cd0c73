import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { BigIntColumn } from './columns';

@Entity('transactions')
export class TransactionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Column({ type: 'varchar' }) type!: 'deposit' | 'purchase' | 'refund' | 'referral' | 'promo' | 'adjustment';
  @Column({ name: 'amount_minor', ...BigIntColumn() }) amountMinor!: number;
  @Column({ name: 'balance_after_minor', ...BigIntColumn() }) balanceAfterMinor!: number;
  @Column({ type: 'varchar', nullable: true }) reference!: string | null;
  @Column({ name: 'order_id', type: 'uuid', nullable: true }) orderId!: string | null;
  @Column({ type: 'varchar', nullable: true }) note!: string | null;
  @Column({ name: 'idempotency_key', type: 'varchar' }) idempotencyKey!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
