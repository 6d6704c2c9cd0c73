import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { auditSafe } from '@botfleet/audit';
import { Actor } from '@botfleet/common';
import { AdminAuditRepository } from '@botfleet/platform';

export interface AdminAuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  targetBotId?: string;
  before?: unknown;
  after?: unknown;
}

/**
 * The operator's audit rows, inside the caller's platform transaction so the record and the change commit
 * together: `admin_audit_log` for operator actions, and the tenant's own `audit_logs` for changes the
 * platform makes to one bot (the tenant sees who touched its bot). Values pass through `auditSafe`, which
 * drops anything secret-looking.
 */
@Injectable()
export class OperatorAuditService {
  constructor(private readonly rows: AdminAuditRepository) {}

  /** `actor` is an Actor, or a free-form label for non-token callers (e.g. `invite:<id>`). */
  async operator(m: EntityManager, actor: Actor | string, e: AdminAuditEntry): Promise<void> {
    await this.rows.insertOperatorEntry(m, typeof actor === 'string' ? actor : actorLabel(actor), {
      ...e,
      before: auditSafe(e.before),
      after: auditSafe(e.after),
    });
  }

  async tenant(m: EntityManager, botId: string, actor: Actor, e: Omit<AdminAuditEntry, 'targetBotId'>): Promise<void> {
    await this.rows.insertTenantEntry(m, botId, actor, {
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId,
      before: auditSafe(e.before),
      after: auditSafe(e.after),
    });
  }
}

/** How an actor is written into `admin_audit_log.actor` and `created_by` columns: `master:master`. */
export const actorLabel = (a: Actor): string => `${a.type}:${a.id}`;
