/** Who is calling the API. */
export type Principal = { kind: 'master' } | { kind: 'tenant'; botId: string };

export const PRINCIPAL_KEY = 'botfleet.principal';

export function actorOf(p: Principal): { actorType: 'master' | 'tenant_api'; actorId: string } {
  return p.kind === 'master'
    ? { actorType: 'master', actorId: 'master' }
    : { actorType: 'tenant_api', actorId: p.botId };
}
