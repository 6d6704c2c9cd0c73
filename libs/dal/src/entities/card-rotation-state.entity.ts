import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { BigIntColumn } from './columns';

@Entity('card_rotation_state')
export class CardRotationStateEntity {
  @PrimaryColumn({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ ...BigIntColumn() }) cursor!: number;
  @Column({ name: 'current_card_id', type: 'uuid', nullable: true }) currentCardId!: string | null;
  @Column({ name: 'switched_at', type: 'timestamptz', nullable: true }) switchedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
