import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { BigIntColumn } from './columns';

export type GatewayPaymentStatus = 'pending' | 'paid' | 'failed' | 'expired' | 'refunded';
export type GatewayPaymentPurpose = 'order' | 'topup';

/**
 * An online payment through a gateway (libs/payments): one row per attempt, every gateway alike. `amountMinor`
 * and `currency` are our money (what the order or the top-up is worth); `gatewayAmount` + `gatewayUnit` are what
 * the gateway charges (IRR, XTR, an asset), a decimal string. `externalId` is the gateway's id (Zarinpal
 * authority, Stars charge id, Crypto Pay invoice id), unique per gateway. `creditedTo` says where the money
 * went when it was paid: the order, or the user's wallet (the order was no longer payable, or a top-up).
 */
@Entity('gateway_payments')
export class GatewayPaymentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Column({ type: 'varchar' }) gateway!: string;
  @Column({ type: 'varchar' }) purpose!: GatewayPaymentPurpose;
  @Column({ name: 'order_id', type: 'uuid', nullable: true }) orderId!: string | null;
  @Column({ name: 'amount_minor', ...BigIntColumn() }) amountMinor!: number;
  @Column({ type: 'char' }) currency!: string;
  @Column({ name: 'gateway_amount', type: 'numeric' }) gatewayAmount!: string;
  @Column({ name: 'gateway_unit', type: 'varchar' }) gatewayUnit!: string;
  @Column({ name: 'external_id', type: 'varchar', nullable: true }) externalId!: string | null;
  @Column({ name: 'gateway_ref', type: 'varchar', nullable: true }) gatewayRef!: string | null;
  @Column({ type: 'varchar' }) status!: GatewayPaymentStatus;
  @Column({ name: 'credited_to', type: 'varchar', nullable: true }) creditedTo!: 'order' | 'wallet' | null;
  @Column({ name: 'failure_reason', type: 'varchar', nullable: true }) failureReason!: string | null;
  @Column({ type: 'jsonb' }) details!: Record<string, string | number | boolean | null>;
  /** The buyer's chat message showing this payment's link when a bot button opened it; null otherwise. */
  @Column({ name: 'screen_message_id', type: 'integer', nullable: true }) screenMessageId!: number | null;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true }) paidAt!: Date | null;
  @Column({ name: 'refunded_at', type: 'timestamptz', nullable: true }) refundedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
