import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * `pending` → `sending` (claimed by one run: claim_id, claimed_at) → `sent` | `failed` | `blocked`; a claim
 * whose run died becomes `interrupted` and is never sent again (at most once per user).
 */
export type BroadcastDeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'blocked' | 'interrupted';

@Entity('broadcast_deliveries')
export class BroadcastDeliveryEntity {
  @PrimaryColumn({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @PrimaryColumn({ name: 'broadcast_id', type: 'uuid' }) broadcastId!: string;
  @PrimaryColumn({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Column({ type: 'varchar' }) status!: BroadcastDeliveryStatus;
  @Column({ type: 'varchar', nullable: true }) error!: string | null;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt!: Date | null;
  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true }) claimedAt!: Date | null;
  @Column({ name: 'claim_id', type: 'uuid', nullable: true }) claimId!: string | null;
}
