import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { BigIntColumn } from './columns';

@Entity('tenant_wallet_ledger')
export class TenantWalletLedgerEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ type: 'varchar' }) type!: 'top_up' | 'charge' | 'hold' | 'capture' | 'release' | 'adjustment' | 'refund';
  @Column({ name: 'amount_minor', ...BigIntColumn() }) amountMinor!: number;
  @Column({ name: 'balance_after_minor', ...BigIntColumn() }) balanceAfterMinor!: number;
  @Column({ name: 'held_after_minor', ...BigIntColumn() }) heldAfterMinor!: number;
  @Column({ type: 'varchar', nullable: true }) reference!: string | null;
  @Column({ type: 'varchar', nullable: true }) note!: string | null;
  @Column({ name: 'idempotency_key', type: 'varchar' }) idempotencyKey!: string;
  @Column({ name: 'created_by', type: 'varchar' }) createdBy!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
