import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { BigIntColumn } from './columns';

@Entity('referral_earnings')
export class ReferralEarningEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ name: 'referrer_id', type: 'uuid' }) referrerId!: string;
  @Column({ name: 'referred_id', type: 'uuid' }) referredId!: string;
  @Column({ name: 'order_id', type: 'uuid' }) orderId!: string;
  @Column({ name: 'amount_minor', ...BigIntColumn() }) amountMinor!: number;
  /** When the referred order was refunded and the commission taken back. */
  @Column({ name: 'reversed_at', type: 'timestamptz', nullable: true }) reversedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
