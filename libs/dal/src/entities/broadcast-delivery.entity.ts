import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * `pending` (leased in batches to one run: claim_id, claimed_at) → `sending` (just before its own Telegram
 * call, by the run holding the lease) → `sent` | `failed` | `blocked` right after. A `sending` whose run died
 * becomes `interrupted` (it may or may not have arrived) and is never sent again; a pending one leased by a dead
 * run is sent by the next. `skipped`: the broadcast was cancelled or failed before it was sent.
 */
export type BroadcastDeliveryStatus =
  | 'pending'
  | 'sending'
  | 'sent'
  | 'failed'
  | 'blocked'
  | 'interrupted'
  | 'skipped';

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
