import { Injectable } from '@nestjs/common';
import { type Actor, type Page, pageOf, pageOffset } from '@botfleet/common';
import { type AuditLogEntity, TenantRepositories } from '@botfleet/dal';

export interface AuditEntry {
  /** Who did it: stored as `actor_type` / `actor_id` (the label is not kept). */
  actor: Actor;
  action: string;
  targetType?: string;
  targetId?: string;
  before?: unknown;
  after?: unknown;
}

/** Field names whose values never enter the audit log. */
const SECRET_FIELD = /token|secret|password|credential|ciphertext|hash|card_?number|cardNumber/i;

/** What stands for a value nested deeper than the audit log keeps (it is not checked, so it is not kept). */
export const AUDIT_TRUNCATED = '[truncated]';

/**
 * Copies a value for the audit log with secret-looking fields removed and card numbers masked. Objects nested deeper
 * than 5 levels are replaced by AUDIT_TRUNCATED rather than copied unchecked.
 */
export function auditSafe(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (depth > 5) return typeof value === 'object' ? AUDIT_TRUNCATED : value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => auditSafe(v, depth + 1));
  if (typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_FIELD.test(k)) {
      if (/card_?number/i.test(k) && typeof v === 'string') out[k] = `••••${v.slice(-4)}`;
      continue;
    }
    out[k] = auditSafe(v, depth + 1);
  }
  return out;
}

/**
 * The tenant audit log (audit_logs): every admin action on a bot — by its API token, the
 * operator or a bot admin — with before/after. Written in the caller's tenant transaction
 * when there is one, so the record and the change commit together.
 */
@Injectable()
export class AuditService {
  constructor(private readonly repos: TenantRepositories) {}

  async record(botId: string, entry: AuditEntry): Promise<void> {
    await this.repos.auditLogs.insert(botId, {
      actorType: entry.actor.type,
      actorId: entry.actor.id,
      actorRole: await this.roleOf(botId, entry.actor),
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      before: auditSafe(entry.before),
      after: auditSafe(entry.after),
    });
  }

  /** The role a bot admin acts with, read in the same transaction as the change it is recorded with. */
  private async roleOf(botId: string, actor: Actor): Promise<string | null> {
    if (actor.type !== 'bot_admin' || !/^[1-9]\d{0,15}$/.test(actor.id)) return null;
    const [admin] = await this.repos.admins.find(botId, { where: { telegramId: Number(actor.id) }, take: 1 });
    return admin?.role ?? null;
  }

  /** A page of the bot's log, newest first (the web console's audit log). */
  async page(botId: string, page: number, pageSize: number): Promise<Page<AuditLogEntity>> {
    const [items, total] = await this.repos.auditLogs.findAndCount(botId, {
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: pageOffset(page, pageSize),
      take: pageSize,
    });
    return pageOf(items, total, page, pageSize);
  }

  list(botId: string, take = 100) {
    return this.repos.auditLogs.find(botId, { order: { createdAt: 'DESC' }, take });
  }
}
