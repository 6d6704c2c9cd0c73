import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('admin_audit_log')
export class AdminAuditLogEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id!: string;
  @Column({ type: 'varchar' }) actor!: string;
  @Column({ type: 'varchar' }) action!: string;
  @Column({ name: 'target_type', type: 'varchar', nullable: true }) targetType!: string | null;
  @Column({ name: 'target_id', type: 'varchar', nullable: true }) targetId!: string | null;
  @Column({ name: 'target_bot_id', type: 'uuid', nullable: true }) targetBotId!: string | null;
  @Column({ type: 'jsonb', nullable: true }) before!: unknown;
  @Column({ type: 'jsonb', nullable: true }) after!: unknown;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
