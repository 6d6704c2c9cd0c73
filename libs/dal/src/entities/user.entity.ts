import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { BigIntColumn } from './columns';

@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ name: 'telegram_id', ...BigIntColumn() }) telegramId!: number;
  @Column({ type: 'varchar', nullable: true }) username!: string | null;
  @Column({ name: 'first_name', type: 'varchar', nullable: true }) firstName!: string | null;
  @Column({ name: 'last_name', type: 'varchar', nullable: true }) lastName!: string | null;
  @Column({ name: 'language_code', type: 'varchar', nullable: true }) languageCode!: string | null;
  @Column({ type: 'varchar', nullable: true }) language!: 'fa' | 'en' | 'ru' | null;
  @Column({ type: 'varchar' }) status!: 'active' | 'blocked';
  @Column({ name: 'bot_blocked_at', type: 'timestamptz', nullable: true }) botBlockedAt!: Date | null;
  @Column({ name: 'referral_code', type: 'varchar' }) referralCode!: string;
  @Column({ name: 'referrer_id', type: 'uuid', nullable: true }) referrerId!: string | null;
  @Column({ name: 'referred_via', type: 'varchar', nullable: true }) referredVia!: string | null;
  @Column({ name: 'promo_group_id', type: 'uuid', nullable: true }) promoGroupId!: string | null;
  @Column({ name: 'balance_minor', ...BigIntColumn() }) balanceMinor!: number;
  @Column({ name: 'trial_used_at', type: 'timestamptz', nullable: true }) trialUsedAt!: Date | null;
  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true }) lastSeenAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
