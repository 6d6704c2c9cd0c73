import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './columns';

export type ConsoleSessionKind = 'master' | 'tenant';
/** A bot admin's role, `owner` for a pasted tenant API token, `operator` for the master. */
export type ConsoleSessionRole = 'owner' | 'admin' | 'support' | 'operator';

/**
 * A signed-in web console (apps/api/src/sessions). Only hashes of the cookie token and of the CSRF token are
 * kept. A tenant session belongs to one bot; a master session has none. `telegramId` is the bot admin or
 * operator who opened a one-time link, null when an API token was pasted.
 */
@Entity('console_sessions')
export class ConsoleSessionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar' }) kind!: ConsoleSessionKind;
  @Column({ name: 'bot_id', type: 'uuid', nullable: true }) botId!: string | null;
  @Column({ name: 'telegram_id', type: 'bigint', nullable: true, transformer: bigintNumber }) telegramId!:
    number | null;
  @Column({ type: 'varchar' }) role!: ConsoleSessionRole;
  @Column({ name: 'token_hash', type: 'varchar' }) tokenHash!: string;
  @Column({ name: 'csrf_hash', type: 'varchar' }) csrfHash!: string;
  @Column({ name: 'user_agent', type: 'varchar', nullable: true }) userAgent!: string | null;
  /** SHA-256 of the token pasted to sign in (the session lives only while that token does); null for a link. */
  @Column({ name: 'source_token_hash', type: 'varchar', nullable: true }) sourceTokenHash!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'last_seen_at', type: 'timestamptz' }) lastSeenAt!: Date;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt!: Date | null;
}
