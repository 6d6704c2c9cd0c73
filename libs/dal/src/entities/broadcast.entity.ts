import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { BigIntColumn } from './columns';

export type BroadcastStatus = 'draft' | 'queued' | 'running' | 'completed' | 'cancelled' | 'failed';

/** A URL button under a broadcast (one per row). */
export interface BroadcastButton {
  text: string;
  url: string;
}

@Entity('broadcasts')
export class BroadcastEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'bot_id', type: 'uuid' }) botId!: string;
  /** The message in the bot's HTML subset (checked by libs/broadcasts before it is stored). */
  @Column({ type: 'varchar' }) text!: string;
  /** The audience: `{ segment, language? }` (libs/broadcasts `BroadcastAudience`). */
  @Column({ type: 'jsonb' }) filter!: Record<string, unknown>;
  @Column({ type: 'varchar' }) status!: BroadcastStatus;
  @Column({ type: 'int' }) total!: number;
  @Column({ type: 'int' }) sent!: number;
  @Column({ type: 'int' }) failed!: number;
  @Column({ type: 'int' }) blocked!: number;
  /** Deliveries not sent because the broadcast was cancelled or failed first. */
  @Column({ type: 'int' }) skipped!: number;
  /** The number of the job carrying a running broadcast (its job id): a sweep re-queues a lost one. */
  @Column({ type: 'int' }) chunk!: number;
  @Column({ name: 'created_by', type: 'varchar' }) createdBy!: string;
  /**
   * The composed message a broadcast was made from in the bot's `/broadcast` flow (the admin and their draft): unique
   * per bot, so a second tap of its audience buttons makes nothing more (BroadcastRepository.insertOnce). Null for
   * drafts made through the API.
   */
  @Column({ name: 'draft_key', type: 'varchar', nullable: true }) draftKey!: string | null;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
  /** A Telegram file_id or an https URL: the message goes as a photo with the text as its caption. */
  @Column({ type: 'varchar', nullable: true }) photo!: string | null;
  /**
   * A picture uploaded from the console, waiting for the preview to take it to Telegram (its file_id then
   * becomes `photo`). Never read with the row: BroadcastRepository.photoUpload.
   */
  @Column({ name: 'photo_upload', type: 'bytea', nullable: true, select: false }) photoUpload?: Buffer | null;
  /** The uploaded picture's type (image/jpeg, image/png, image/webp); null when there is none. */
  @Column({ name: 'photo_upload_type', type: 'varchar', nullable: true }) photoUploadType!: string | null;
  /**
   * Saved with `photoUploadFollows` and no picture uploaded since: not previewed, and it cannot start, until one is
   * (or the draft is saved without it).
   */
  @Column({ name: 'photo_awaited', type: 'boolean', default: false }) photoAwaited!: boolean;
  @Column({ type: 'jsonb' }) buttons!: BroadcastButton[];
  /** Grows with every edit of a draft: a preview counts only for the revision it showed. */
  @Column({ type: 'int' }) revision!: number;
  @Column({ name: 'preview_telegram_id', ...BigIntColumn({ nullable: true }) }) previewTelegramId!: number | null;
  @Column({ name: 'previewed_at', type: 'timestamptz', nullable: true }) previewedAt!: Date | null;
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true }) startedAt!: Date | null;
  /** Why a broadcast failed, or why its preview could not be sent. */
  @Column({ type: 'varchar', nullable: true }) failure!: string | null;
  @Column({ name: 'progress_chat_id', ...BigIntColumn({ nullable: true }) }) progressChatId!: number | null;
  @Column({ name: 'progress_thread_id', type: 'int', nullable: true }) progressThreadId!: number | null;
  @Column({ name: 'progress_message_id', type: 'int', nullable: true }) progressMessageId!: number | null;
  @Column({ name: 'progress_posted_at', type: 'timestamptz', nullable: true }) progressPostedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
