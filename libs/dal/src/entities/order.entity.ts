import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { BigIntColumn } from './columns';

export type OrderStatus =
  'pending' | 'paid' | 'fulfilling' | 'fulfilled' | 'rejected' | 'expired' | 'failed' | 'refunded';
/**
 * Order statuses that count as a sale: the order was paid and has not since been refunded or
 * failed. `paid` → `fulfilling` → `fulfilled` is the normal life of a paid order; `refunded` and
 * `failed` (which may also carry a `paid_at`) do not count, nor do orders never paid (`pending`,
 * `rejected`, `expired`). Every sales figure (the tenant's stats, the operator's) counts these.
 */
export const SALE_STATUSES: readonly OrderStatus[] = ['paid', 'fulfilling', 'fulfilled'];
/** SALE_STATUSES as an SQL list, `('paid','fulfilling','fulfilled')`, for `status IN …`. */
export const SALE_STATUSES_SQL = `(${SALE_STATUSES.map((s) => `'${s}'`).join(',')})`;
export const isSaleStatus = (status: OrderStatus): boolean => SALE_STATUSES.includes(status);

/** The ways an order is paid without a gateway: a card-to-card receipt, the wallet, free (a trial). */
export const NON_GATEWAY_PAYMENT_METHODS = ['card_to_card', 'wallet', 'free'] as const;
/**
 * How an order was paid: one of NON_GATEWAY_PAYMENT_METHODS or the name of a gateway (libs/payments
 * ORDER_PAYMENT_METHODS lists them all).
 */
export type PaymentMethod = (typeof NON_GATEWAY_PAYMENT_METHODS)[number] | GatewayName;
/** A payment gateway's name (`zarinpal`, `stars`, `cryptobot` …): lowercase, as in gateway_payments.gateway. */
export type GatewayName = string & { readonly __gateway?: never };

@Entity('orders')
export class OrderEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Column({ name: 'plan_id', type: 'uuid' }) planId!: string;
  @Column({ name: 'subscription_id', type: 'uuid', nullable: true }) subscriptionId!: string | null;
  @Column({ type: 'varchar' }) kind!: 'new' | 'renewal' | 'trial';
  @Column({ type: 'varchar' }) status!: OrderStatus;
  @Column({ name: 'payment_method', type: 'varchar', nullable: true }) paymentMethod!: PaymentMethod | null;
  @Column({ name: 'amount_minor', ...BigIntColumn() }) amountMinor!: number;
  @Column({ type: 'char' }) currency!: string;
  @Column({ name: 'discount_minor', ...BigIntColumn() }) discountMinor!: number;
  @Column({ name: 'promocode_id', type: 'uuid', nullable: true }) promocodeId!: string | null;
  @Column({ name: 'wholesale_minor', ...BigIntColumn() }) wholesaleMinor!: number;
  @Column({ name: 'traffic_bytes', ...BigIntColumn() }) trafficBytes!: number;
  @Column({ name: 'period_days', type: 'int' }) periodDays!: number;
  @Column({ name: 'idempotency_key', type: 'varchar' }) idempotencyKey!: string;
  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true }) paidAt!: Date | null;
  @Column({ name: 'fulfilled_at', type: 'timestamptz', nullable: true }) fulfilledAt!: Date | null;
  @Column({ name: 'failure_reason', type: 'varchar', nullable: true }) failureReason!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
