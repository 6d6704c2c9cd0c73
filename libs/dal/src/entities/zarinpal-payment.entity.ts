import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { BigIntColumn } from './columns';

@Entity('zarinpal_payments')
export class ZarinpalPaymentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Column({ name: 'order_id', type: 'uuid' }) orderId!: string;
  @Column({ name: 'amount_minor', ...BigIntColumn() }) amountMinor!: number;
  @Column({ type: 'varchar', nullable: true }) authority!: string | null;
  @Column({ name: 'ref_id', type: 'varchar', nullable: true }) refId!: string | null;
  @Column({ name: 'card_pan', type: 'varchar', nullable: true }) cardPan!: string | null;
  @Column({ type: 'varchar' }) status!: 'pending' | 'paid' | 'failed' | 'expired';
  @Column({ name: 'callback_url', type: 'text', nullable: true }) callbackUrl!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
