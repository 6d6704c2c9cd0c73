import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PlatformDb } from '../platform-db';

/** One audit row; `before`/`after` must already be stripped of secrets (the operator's audit writer does it). */
export interface PlatformAuditRow {
  action: string;
  targetType?: string;
  targetId?: string;
  before?: unknown;
  after?: unknown;
}

/** What the operator's audit log may be narrowed to; every part is optional and they combine with AND. */
export interface OperatorAuditFilter {
  actor?: string;
  action?: string;
  botId?: string;
  from?: Date;
  to?: Date;
}

/** One row of `admin_audit_log` with the name of the bot it concerns (when it concerns one that still exists). */
export interface OperatorAuditRow {
  id: string;
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  botId: string | null;
  botName: string | null;
  before: unknown;
  after: unknown;
  createdAt: Date;
}

/**
 * Audit rows written on the platform path inside the caller's platform transaction, so the record and the
 * change commit together: `admin_audit_log` for operator actions, and a tenant's own `audit_logs` for
 * changes the platform makes to one bot.
 */
@Injectable()
export class AdminAuditRepository {
  constructor(private readonly platform: PlatformDb) {}

  /** The operator's log, newest first (ties by id, so paging is stable), with the total that matches. */
  async page(filter: OperatorAuditFilter, skip: number, take: number): Promise<[OperatorAuditRow[], number]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.actor !== undefined) add('a.actor = ?', filter.actor);
    if (filter.action !== undefined) add('a.action = ?', filter.action);
    if (filter.botId !== undefined) add('a.target_bot_id = ?', filter.botId);
    if (filter.from !== undefined) add('a.created_at >= ?', filter.from);
    // Times are shown to the millisecond and stored to the microsecond: `to` a shown time includes that entry.
    if (filter.to !== undefined) add(`a.created_at < ?::timestamptz + interval '1 millisecond'`, filter.to);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = (await this.platform.manager.query(
      `SELECT count(*)::int AS total FROM admin_audit_log a ${clause}`,
      params,
    )) as { total: number }[];
    const rows = (await this.platform.manager.query(
      `SELECT a.id::text AS id, a.actor, a.action, a.target_type AS "targetType", a.target_id AS "targetId",
              a.target_bot_id AS "botId", b.name AS "botName", a.before, a.after, a.created_at AS "createdAt"
         FROM admin_audit_log a LEFT JOIN bots b ON b.id = a.target_bot_id
         ${clause}
        ORDER BY a.created_at DESC, a.id DESC
        OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, skip, take],
    )) as OperatorAuditRow[];
    return [rows, total];
  }

  async insertOperatorEntry(
    m: EntityManager,
    actor: string,
    e: PlatformAuditRow & { targetBotId?: string },
  ): Promise<void> {
    await m.query(
      `INSERT INTO admin_audit_log (actor, action, target_type, target_id, target_bot_id, before, after)
       VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7::jsonb)`,
      [actor, e.action, e.targetType ?? null, e.targetId ?? null, e.targetBotId ?? null, json(e.before), json(e.after)],
    );
  }

  async insertTenantEntry(
    m: EntityManager,
    botId: string,
    actor: { type: string; id: string },
    e: PlatformAuditRow,
  ): Promise<void> {
    await m.query(
      `INSERT INTO audit_logs (bot_id, actor_type, actor_id, action, target_type, target_id, before, after)
       VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb,$8::jsonb)`,
      [botId, actor.type, actor.id, e.action, e.targetType ?? null, e.targetId ?? null, json(e.before), json(e.after)],
    );
  }
}

function json(v: unknown): string | null {
  return v === null || v === undefined ? null : JSON.stringify(v);
}
