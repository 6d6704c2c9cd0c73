import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { BigIntColumn } from './columns';

@Entity('card_to_card_payments')
export class CardPaymentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  /** `order`: pays its order (order_id set); `topup`: credits the user's wallet on approval (no order). */
  @Column({ type: 'varchar' }) purpose!: 'order' | 'topup';
  @Column({ name: 'order_id', type: 'uuid', nullable: true }) orderId!: string | null;
  /** A top-up started for an order the wallet could not cover: offered to be paid from the wallet once credited. */
  @Column({ name: 'for_order_id', type: 'uuid', nullable: true }) forOrderId!: string | null;
  @Column({ name: 'card_id', type: 'uuid', nullable: true }) cardId!: string | null;
  @Column({ name: 'amount_minor', ...BigIntColumn() }) amountMinor!: number;
  @Column({ name: 'tracking_number', type: 'varchar' }) trackingNumber!: string;
  @Column({ type: 'varchar' }) status!: 'awaiting_receipt' | 'pending' | 'approved' | 'rejected' | 'expired';
  @Column({ name: 'receipt_type', type: 'varchar', nullable: true }) receiptType!: 'photo' | 'text' | null;
  @Column({ name: 'receipt_text', type: 'varchar', nullable: true }) receiptText!: string | null;
  @Column({ name: 'receipt_file_id', type: 'varchar', nullable: true }) receiptFileId!: string | null;
  @Column({ name: 'receipt_file_unique_id', type: 'varchar', nullable: true }) receiptFileUniqueId!: string | null;
  @Column({ name: 'is_flagged', type: 'boolean' }) isFlagged!: boolean;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
  /** When the receipt under review was sent (reminders count from it); null before any receipt. */
  @Column({ name: 'receipt_submitted_at', type: 'timestamptz', nullable: true }) receiptSubmittedAt!: Date | null;
  /** Review reminders already sent for this receipt (REVIEW_REMINDERS). */
  @Column({ name: 'review_reminders_sent', type: 'smallint' }) reviewRemindersSent!: number;
  @Column({ name: 'reviewed_by', type: 'varchar', nullable: true }) reviewedBy!: string | null;
  @Column({ name: 'reviewed_at', type: 'timestamptz', nullable: true }) reviewedAt!: Date | null;
  @Column({ name: 'rejection_reason', type: 'varchar', nullable: true }) rejectionReason!: string | null;
  @Column({ name: 'admin_notes', type: 'varchar', nullable: true }) adminNotes!: string | null;
  @Column({ name: 'review_chat_id', ...BigIntColumn({ nullable: true }) }) reviewChatId!: number | null;
  @Column({ name: 'review_message_id', type: 'int', nullable: true }) reviewMessageId!: number | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
