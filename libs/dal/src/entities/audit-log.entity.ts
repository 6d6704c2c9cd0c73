import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ActorType } from '@botfleet/common';

@Entity('audit_logs')
export class AuditLogEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ name: 'actor_type', type: 'varchar' }) actorType!: ActorType;
  @Column({ name: 'actor_id', type: 'varchar' }) actorId!: string;
  /** The role a bot admin acted with ('owner' | 'admin' | 'support'); null for other actors. */
  @Column({ name: 'actor_role', type: 'varchar', nullable: true }) actorRole!: string | null;
  @Column({ type: 'varchar' }) action!: string;
  @Column({ name: 'target_type', type: 'varchar', nullable: true }) targetType!: string | null;
  @Column({ name: 'target_id', type: 'varchar', nullable: true }) targetId!: string | null;
  @Column({ type: 'jsonb', nullable: true }) before!: unknown;
  @Column({ type: 'jsonb', nullable: true }) after!: unknown;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
