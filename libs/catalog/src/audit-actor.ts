import type { AuditEntry } from '@botfleet/audit';

/** Who makes a change, for the audit log (from the API principal, a bot admin, or the system). */
export type AuditActor = Pick<AuditEntry, 'actorType' | 'actorId'>;
