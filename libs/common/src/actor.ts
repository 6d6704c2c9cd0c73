/**
 * Who did something, as the audit logs record it. One type for every outlet: the operator
 * (`master`), a tenant's API token or console session (`tenant_api`), an admin acting inside a
 * bot (`bot_admin`, id = Telegram id), or the platform itself (`system`).
 */
export type ActorType = 'master' | 'tenant_api' | 'bot_admin' | 'system';

export interface Actor {
  readonly type: ActorType;
  /** Stable id: 'master', the bot id for a tenant token, the Telegram id for a bot admin, a job name for the system. */
  readonly id: string;
  /** Human-readable label for logs and notices (a name or @username); never a secret. */
  readonly label?: string;
}

export const Actors = {
  master: (): Actor => ({ type: 'master', id: 'master', label: 'operator' }),
  tenantApi: (botId: string): Actor => ({ type: 'tenant_api', id: botId }),
  botAdmin: (telegramId: number | string, label?: string): Actor => ({ type: 'bot_admin', id: String(telegramId), label }),
  system: (what: string): Actor => ({ type: 'system', id: what }),
} as const;

export const isMasterActor = (a: Actor): boolean => a.type === 'master';
