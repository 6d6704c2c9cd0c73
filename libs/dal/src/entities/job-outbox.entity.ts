import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A queue job written with the change it announces; relayed to BullMQ after the commit (JobOutbox). */
@Entity('job_outbox')
export class JobOutboxEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ name: 'job_name', type: 'varchar' }) jobName!: string;
  @Column({ name: 'job_id', type: 'varchar' }) jobId!: string;
  @Column({ type: 'jsonb' }) payload!: Record<string, unknown>;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
