import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber } from './columns';

@Entity('processed_updates')
export class ProcessedUpdateEntity {
  @PrimaryColumn({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @PrimaryColumn({ name: 'update_id', type: 'bigint', transformer: bigintNumber }) updateId!: number;
  @CreateDateColumn({ name: 'processed_at', type: 'timestamptz' }) processedAt!: Date;
}
