import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintNumber } from './columns';

@Entity('bot_admins')
export class BotAdminEntity {
  @PrimaryColumn({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @PrimaryColumn({ name: 'telegram_id', type: 'bigint', transformer: bigintNumber }) telegramId!: number;
  /** Always `role === 'owner'` (a trigger keeps the two together). */
  @Column({ name: 'is_owner', type: 'boolean' }) isOwner!: boolean;
  @Column({ type: 'varchar' }) role!: 'owner' | 'admin' | 'support';
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
