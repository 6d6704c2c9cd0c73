import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('broadcasts')
export class BroadcastEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ type: 'varchar' }) text!: string;
  @Column({ type: 'jsonb' }) filter!: Record<string, unknown>;
  @Column({ type: 'varchar' }) status!: 'queued' | 'running' | 'completed' | 'cancelled' | 'failed';
  @Column({ type: 'int' }) total!: number;
  @Column({ type: 'int' }) sent!: number;
  @Column({ type: 'int' }) failed!: number;
  @Column({ type: 'int' }) blocked!: number;
  @Column({ name: 'created_by', type: 'varchar' }) createdBy!: string;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
