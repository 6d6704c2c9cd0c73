import { Injectable } from '@nestjs/common';
import { EntityManager, SelectQueryBuilder } from 'typeorm';
import { ConsoleSessionEntity, ConsoleSessionKind, ConsoleSessionRole } from '@botfleet/dal';
import { PlatformDb } from '../platform-db';

export interface NewConsoleSession {
  kind: ConsoleSessionKind;
  botId: string | null;
  telegramId: number | null;
  role: ConsoleSessionRole;
  tokenHash: string;
  csrfHash: string;
  userAgent: string | null;
  expiresAt: Date;
  /** SHA-256 of the pasted token a session was signed in with (it lives only while that token does). */
  sourceTokenHash?: string;
}

/** Whose sessions a caller sees and may revoke: the master's, one bot's, or one admin's in one bot. */
export type ConsoleSessionScope = { kind: 'master' } | { kind: 'tenant'; botId: string; telegramId: number | null };

/** last_seen_at is written at most this often per session (it is for the list, not for expiry). */
const TOUCH_EVERY_S = 60;

/**
 * The web console's sessions, on the platform path: a cookie is looked up by its hash before any tenant is
 * known, and master sessions belong to no tenant. Every read of a live session checks revoked_at and
 * expires_at in the same statement.
 */
@Injectable()
export class ConsoleSessionsRepository {
  constructor(private readonly platform: PlatformDb) {}

  async create(s: NewConsoleSession): Promise<ConsoleSessionEntity> {
    const repo = this.platform.manager.getRepository(ConsoleSessionEntity);
    const now = new Date();
    return repo.save(repo.create({ ...s, lastSeenAt: now, revokedAt: null }));
  }

  /** The live session whose cookie token hashes to `tokenHash`. */
  async findLive(tokenHash: string): Promise<ConsoleSessionEntity | null> {
    return this.platform.manager
      .createQueryBuilder(ConsoleSessionEntity, 's')
      .where('s.tokenHash = :tokenHash', { tokenHash })
      .andWhere('s.revokedAt IS NULL')
      .andWhere('s.expiresAt > now()')
      .getOne();
  }

  async findLiveById(id: string): Promise<ConsoleSessionEntity | null> {
    return this.platform.manager
      .createQueryBuilder(ConsoleSessionEntity, 's')
      .where('s.id = :id', { id })
      .andWhere('s.revokedAt IS NULL')
      .andWhere('s.expiresAt > now()')
      .getOne();
  }

  /** Records that the session was used (at most once a minute). */
  async touch(id: string): Promise<void> {
    await this.platform.manager.query(
      `UPDATE console_sessions SET last_seen_at = now()
        WHERE id = $1 AND last_seen_at < now() - make_interval(secs => $2)`,
      [id, TOUCH_EVERY_S],
    );
  }

  /** The live sessions of a scope, newest first. */
  async list(scope: ConsoleSessionScope, limit = 100): Promise<ConsoleSessionEntity[]> {
    const qb = this.platform.manager
      .createQueryBuilder(ConsoleSessionEntity, 's')
      .where('s.revokedAt IS NULL')
      .andWhere('s.expiresAt > now()');
    this.scoped(qb, scope);
    return qb.orderBy('s.createdAt', 'DESC').addOrderBy('s.id', 'DESC').take(limit).getMany();
  }

  /** A live session of the scope by id; null for one that is not there (another's, revoked, expired). */
  async findLiveInScope(id: string, scope: ConsoleSessionScope): Promise<ConsoleSessionEntity | null> {
    const qb = this.platform.manager
      .createQueryBuilder(ConsoleSessionEntity, 's')
      .where('s.id = :id', { id })
      .andWhere('s.revokedAt IS NULL')
      .andWhere('s.expiresAt > now()');
    this.scoped(qb, scope);
    return qb.getOne();
  }

  /** Ends every live session of one bot in the caller's transaction (a deleted bot brought back); how many. */
  async revokeAllOfBot(m: EntityManager, botId: string): Promise<number> {
    const result = await m
      .createQueryBuilder()
      .update(ConsoleSessionEntity)
      .set({ revokedAt: () => 'now()' })
      .where(`kind = 'tenant'`)
      .andWhere('bot_id = :botId', { botId })
      .andWhere('revoked_at IS NULL')
      .andWhere('expires_at > now()')
      .execute();
    return result.affected ?? 0;
  }

  /** Revokes a live session of the scope; false when there is none with this id there. */
  async revoke(id: string, scope: ConsoleSessionScope): Promise<boolean> {
    const qb = this.platform.manager
      .createQueryBuilder()
      .update(ConsoleSessionEntity)
      .set({ revokedAt: () => 'now()' })
      .where('id = :id', { id })
      .andWhere('revoked_at IS NULL')
      .andWhere('expires_at > now()');
    if (scope.kind === 'master') qb.andWhere(`kind = 'master'`);
    else {
      qb.andWhere(`kind = 'tenant'`).andWhere('bot_id = :botId', { botId: scope.botId });
      if (scope.telegramId !== null) qb.andWhere('telegram_id = :tg', { tg: scope.telegramId });
    }
    return ((await qb.execute()).affected ?? 0) > 0;
  }

  private scoped(qb: SelectQueryBuilder<ConsoleSessionEntity>, scope: ConsoleSessionScope): void {
    if (scope.kind === 'master') {
      qb.andWhere(`s.kind = 'master'`);
      return;
    }
    qb.andWhere(`s.kind = 'tenant'`).andWhere('s.botId = :botId', { botId: scope.botId });
    if (scope.telegramId !== null) qb.andWhere('s.telegramId = :tg', { tg: scope.telegramId });
  }
}
