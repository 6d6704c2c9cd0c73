import type { NavEntry } from '../reseller/nav';

/** The operator's menu: routes under /operator, shown only to the master's session. */
export const operatorNav: NavEntry[] = [
  { to: 'tenants', label: 'operator:tenants', permission: 'operator' },
  { to: 'invites', label: 'operator:invites', permission: 'operator' },
  { to: 'panels', label: 'operator:panels', permission: 'operator' },
  { to: 'stats', label: 'operator:stats', permission: 'operator' },
  { to: 'audit-log', label: 'operator:auditLog', permission: 'operator' },
];
