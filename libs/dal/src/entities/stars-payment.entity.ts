import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('stars_payments')
export class StarsPaymentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Column({ name: 'order_id', type: 'uuid' }) orderId!: string;
  @Column({ name: 'amount_stars', type: 'int' }) amountStars!: number;
  @Column({ name: 'invoice_payload', type: 'varchar' }) invoicePayload!: string;
  @Column({ name: 'telegram_payment_charge_id', type: 'varchar', nullable: true }) telegramPaymentChargeId!:
    string | null;
  @Column({ type: 'varchar' }) status!: 'pending' | 'paid' | 'refunded';
  @Column({ name: 'refunded_at', type: 'timestamptz', nullable: true }) refundedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
