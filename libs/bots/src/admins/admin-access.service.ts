import { Injectable } from '@nestjs/common';
import { Actor, assertUnreachable, DomainError, ErrorCode } from '@botfleet/common';
import { BotAdminsRepository, TenantDb } from '@botfleet/dal';
import { AdminPermission, AdminRole, roleAllows } from './admin-roles';

const TELEGRAM_ID = /^[1-9]\d{0,18}$/;

function parseTelegramId(value: number | string): number | null {
  const text = String(value);
  if (!TELEGRAM_ID.test(text)) return null;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : null;
}

/**
 * The one role check of a tenant's Telegram admins. Use cases call `authorize(botId, actor, permission)`
 * before changing anything (inside their transaction): a REST caller (`tenant_api`, `master`) is already
 * authorised by its token and passes; a `bot_admin` passes only when their role in this bot grants the
 * permission; `system` passes (the platform's own jobs) — a use case that people alone may run refuses
 * `system` itself. The admin row is read without a lock (see ReviewPolicy: a lock here would invert the
 * lock order against a change of the admin list).
 */
@Injectable()
export class AdminAccessService {
  constructor(
    private readonly db: TenantDb,
    private readonly admins: BotAdminsRepository,
  ) {}

  /** This Telegram user's role in the bot, or null when they are not one of its admins. */
  async roleOf(botId: string, telegramId: number | string): Promise<AdminRole | null> {
    const id = parseTelegramId(telegramId);
    if (id === null) return null;
    const row = await this.db.run(botId, () => this.admins.find(botId, id));
    return row?.role ?? null;
  }

  /** Whether this Telegram user may do `permission` in the bot. For showing or hiding; the domain checks again. */
  async may(botId: string, telegramId: number | string, permission: AdminPermission): Promise<boolean> {
    const role = await this.roleOf(botId, telegramId);
    return role !== null && roleAllows(role, permission);
  }

  /** Throws FORBIDDEN unless this Telegram user's role grants `permission`; returns the role. */
  async require(botId: string, telegramId: number | string, permission: AdminPermission): Promise<AdminRole> {
    const role = await this.roleOf(botId, telegramId);
    if (role === null) throw new DomainError(ErrorCode.FORBIDDEN, 'Only the bot admins may do this');
    if (!roleAllows(role, permission)) {
      throw new DomainError(ErrorCode.FORBIDDEN, `The ${role} role may not do this`, { permission, role });
    }
    return role;
  }

  /** The domain check for any actor (see the class comment). */
  async authorize(botId: string, actor: Actor, permission: AdminPermission): Promise<void> {
    switch (actor.type) {
      case 'tenant_api':
      case 'master':
      case 'system':
        return;
      case 'bot_admin':
        await this.require(botId, actor.id, permission);
        return;
      default:
        return assertUnreachable(actor.type);
    }
  }
}
