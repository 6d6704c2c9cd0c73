import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { auditSafe, AuditEntry } from '@botfleet/audit';
import { Actor } from './actor';

export interface AdminAuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  targetBotId?: string;
  before?: unknown;
  after?: unknown;
}

/**
 * Audit rows written on the platform path, inside the caller's platform transaction so the record
 * and the change commit together: `admin_audit_log` for operator actions, and the tenant's own
 * `audit_logs` for changes the platform makes to one bot (the tenant sees who touched its bot).
 * Values pass through `auditSafe`, which drops anything secret-looking.
 */
@Injectable()
export class PlatformAuditService {
  /** `actor` is an Actor, or a free-form label for non-token callers (e.g. `invite:<id>`). */
  async operator(m: EntityManager, actor: Actor | string, e: AdminAuditEntry): Promise<void> {
    await m.query(
      `INSERT INTO admin_audit_log (actor, action, target_type, target_id, target_bot_id, before, after)
       VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7::jsonb)`,
      [
        typeof actor === 'string' ? actor : `${actor.actorType}:${actor.actorId}`,
        e.action,
        e.targetType ?? null,
        e.targetId ?? null,
        e.targetBotId ?? null,
        json(e.before),
        json(e.after),
      ],
    );
  }

  async tenant(m: EntityManager, botId: string, e: AuditEntry): Promise<void> {
    await m.query(
      `INSERT INTO audit_logs (bot_id, actor_type, actor_id, action, target_type, target_id, before, after)
       VALUES ($1,$2,$3,$4,$5,$6,$7::jsonb,$8::jsonb)`,
      [
        botId,
        e.actorType,
        e.actorId,
        e.action,
        e.targetType ?? null,
        e.targetId ?? null,
        json(e.before),
        json(e.after),
      ],
    );
  }
}

function json(v: unknown): string | null {
  const safe = auditSafe(v);
  return safe === null || safe === undefined ? null : JSON.stringify(safe);
}
