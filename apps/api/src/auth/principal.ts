import type { AdminRole } from '@botfleet/bots';
import { Actor, Actors } from '@botfleet/common';

/** The web console session a request came with (cookie), when it did. */
export interface ConsoleSessionRef {
  id: string;
  /** The bot admin or operator who opened a one-time link; null when an API token was pasted. */
  telegramId: number | null;
}

/**
 * Who is calling the API. A console session signed in through a bot's one-time link carries the admin, whose
 * role (read again on every request) limits what the session may do; a pasted token's session has the token's
 * rights.
 */
export type Principal =
  | { kind: 'master'; session?: ConsoleSessionRef }
  | {
      kind: 'tenant';
      botId: string;
      session?: ConsoleSessionRef;
      admin?: { telegramId: number; role: AdminRole };
    };

/** The caller as the audit logs record it: a bot admin's session acts as that admin (their role applies). */
export function actorOf(p: Principal): Actor {
  if (p.kind === 'master') {
    // An operator signed in from the master bot is named like the master bot names them (masterActor).
    const tg = p.session?.telegramId;
    return tg ? { type: 'master', id: `tg:${tg}`, label: 'operator (web console)' } : Actors.master();
  }
  if (p.admin) return Actors.botAdmin(p.admin.telegramId, 'web console');
  return Actors.tenantApi(p.botId);
}
