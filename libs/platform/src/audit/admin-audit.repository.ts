import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** One audit row; `before`/`after` must already be stripped of secrets (the operator's audit writer does it). */
export interface PlatformAuditRow {
  action: string;
  targetType?: string;
  targetId?: string;
  before?: unknown;
  after?: unknown;
}

/**
 * Audit rows written on the platform path inside the caller's platform transaction, so the record and the
 * change commit together: `admin_audit_log` for operator actions, and a tenant's own `audit_logs` for
 * changes the platform makes to one bot.
 */
@Injectable()
export class AdminAuditRepository {
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
