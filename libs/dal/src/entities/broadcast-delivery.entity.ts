import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('broadcast_deliveries')
export class BroadcastDeliveryEntity {
  @PrimaryColumn({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @PrimaryColumn({ name: 'broadcast_id', type: 'uuid' }) broadcastId!: string;
  @PrimaryColumn({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Column({ type: 'varchar' }) status!: 'pending' | 'sent' | 'failed' | 'blocked';
  @Column({ type: 'varchar', nullable: true }) error!: string | null;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt!: Date | null;
}
