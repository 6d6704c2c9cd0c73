import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AUDIT_TRUNCATED, auditSafe } from '@botfleet/audit';
import { Actor, DomainError, ErrorCode, type Page, pageOf, pageOffset } from '@botfleet/common';
import { AdminAuditRepository, type OperatorAuditFilter, type OperatorAuditRow } from '@botfleet/platform';

/** Every action the operator's audit log records (the filter of the log refuses any other). */
export const OPERATOR_AUDIT_ACTIONS = [
  'bot.onboarded',
  'bot.suspended',
  'bot.resumed',
  'bot.restored',
  'feature.allowance_set',
  'wholesale_price.set',
  'wallet.top_up',
  'wallet.adjust',
  'invite.created',
  'invite.revoked',
  'panel.created',
  'panel.updated',
] as const;
export type OperatorAuditAction = (typeof OPERATOR_AUDIT_ACTIONS)[number];

/**
 * Field names that are credentials on the operator's side beyond `auditSafe`'s (a panel's API key, a gateway's
 * merchant id, a private key, an authorization header): a panel's free-form settings could carry one.
 */
const OPERATOR_SECRET_FIELD =
  /api[-_]?key|access[-_]?key|merchant|private[-_]?key|authorization|passphrase|^pass$|^pwd$|^key$/i;

/**
 * A value for the operator's audit log with every credential-looking field removed: applied when a row is written
 * and again when it is read, so a row written before a field was known to be secret is not shown either.
 */
export function operatorAuditSafe(value: unknown): unknown {
  return strip(auditSafe(value), 0);
}

/** A query parameter or userinfo in a URL that carries a credential (`?token=…`, `&api_key=…`, `user:pass@`). */
const URL_SECRET_PARAM =
  /([?&#;](?:[^=&#;]*(?:token|secret|password|passwd|pwd|key|auth|signature|sig|merchant)[^=&#;]*)=)[^&#;]*/gi;
const URL_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i;

/**
 * A string that is a URL keeps its host and path; the values of credential-looking query parameters and any
 * userinfo are replaced (a panel's base URL may carry its key: `https://panel.example/api?token=…`).
 */
function stripUrl(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  return value.replace(URL_USERINFO, '$1***@').replace(URL_SECRET_PARAM, '$1***');
}

function strip(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return stripUrl(value);
  if (value === null || typeof value !== 'object') return value;
  // auditSafe already cut what is deeper than it keeps; anything deeper here is dropped, never passed on unchecked.
  if (depth > 6) return AUDIT_TRUNCATED;
  if (Array.isArray(value)) return value.map((v) => strip(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!OPERATOR_SECRET_FIELD.test(k)) out[k] = strip(v, depth + 1);
  return out;
}

/** One entry of the operator's audit log as the operator reads it (secrets removed). */
export interface OperatorAuditView {
  id: string;
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  bot: { id: string; name: string | null } | null;
  before: unknown;
  after: unknown;
  createdAt: string;
}

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
      before: operatorAuditSafe(e.before),
      after: operatorAuditSafe(e.after),
    });
  }

  /** The operator's log, newest first, narrowed by the filter (`from` after `to` is a 400 naming `from`). */
  async page(filter: OperatorAuditFilter, page: number, pageSize: number): Promise<Page<OperatorAuditView>> {
    if (filter.from && filter.to && filter.from.getTime() > filter.to.getTime()) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Invalid request: from', [
        { field: 'from', errors: ['from must not be after to'] },
      ]);
    }
    const [rows, total] = await this.rows.page(filter, pageOffset(page, pageSize), pageSize);
    return pageOf(rows.map(toAuditView), total, page, pageSize);
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

function toAuditView(r: OperatorAuditRow): OperatorAuditView {
  return {
    id: r.id,
    actor: r.actor,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    bot: r.botId ? { id: r.botId, name: r.botName } : null,
    before: operatorAuditSafe(r.before),
    after: operatorAuditSafe(r.after),
    createdAt: new Date(r.createdAt).toISOString(),
  };
}

/** How an actor is written into `admin_audit_log.actor` and `created_by` columns: `master:master`. */
export const actorLabel = (a: Actor): string => `${a.type}:${a.id}`;
