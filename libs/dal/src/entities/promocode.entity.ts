import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { BigIntColumn } from './columns';

@Entity('promocodes')
export class PromocodeEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ type: 'varchar' }) code!: string;
  @Column({ type: 'varchar' }) kind!: 'percent' | 'fixed' | 'extra_days' | 'balance';
  @Column({ ...BigIntColumn() }) value!: number;
  @Column({ name: 'max_uses', type: 'int', nullable: true }) maxUses!: number | null;
  @Column({ name: 'per_user_limit', type: 'int' }) perUserLimit!: number;
  @Column({ name: 'uses_count', type: 'int' }) usesCount!: number;
  @Column({ name: 'valid_from', type: 'timestamptz', nullable: true }) validFrom!: Date | null;
  @Column({ name: 'valid_until', type: 'timestamptz', nullable: true }) validUntil!: Date | null;
  @Column({ name: 'is_active', type: 'boolean' }) isActive!: boolean;
  @Column({ name: 'promo_group_id', type: 'uuid', nullable: true }) promoGroupId!: string | null;
  /** Only this plan's orders take the code (null: any plan). */
  @Column({ name: 'plan_id', type: 'uuid', nullable: true }) planId!: string | null;
  /** Only a customer with no paid order yet may use it. */
  @Column({ name: 'first_purchase_only', type: 'boolean' }) firstPurchaseOnly!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
