import { Actor, Actors } from '@botfleet/common';

/** Who is calling the API. */
export type Principal = { kind: 'master' } | { kind: 'tenant'; botId: string };

/** The caller as the audit logs record it. */
export function actorOf(p: Principal): Actor {
  return p.kind === 'master' ? Actors.master() : Actors.tenantApi(p.botId);
}
