/** Who is acting, as recorded in audit logs. The master is the platform operator. */
export interface Actor {
  actorType: 'master' | 'tenant_api';
  actorId: string;
}

export const MASTER_ACTOR: Actor = { actorType: 'master', actorId: 'master' };

export const isMaster = (a: Actor): boolean => a.actorType === 'master';
