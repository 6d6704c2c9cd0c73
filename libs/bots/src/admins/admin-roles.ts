/** Roles inside a tenant: who may do what in the shop's own bot (README "Running your shop from Telegram"). */
export const ADMIN_ROLES = ['owner', 'admin', 'support'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/**
 * What a bot admin may do. `wallet` is money moved by hand (a customer's balance adjustment) and the
 * wholesale wallet; `dashboard` the shop's figures; `lookup` finding a customer and reading the card;
 * `users` acting on a customer (block, unblock, resend the link); `admins` changing who the admins are; `settings` the shop's other
 * configuration (languages, currency, menu …) — `texts` covers only the welcome and support texts.
 */
export const ADMIN_PERMISSIONS = [
  'dashboard',
  'receipts',
  'users',
  'plans',
  'cards',
  'texts',
  'broadcasts',
  'tickets',
  'lookup',
  'wallet',
  'admins',
  'settings',
] as const;
export type AdminPermission = (typeof ADMIN_PERMISSIONS)[number];

const GRANTS: Readonly<Record<AdminRole, ReadonlySet<AdminPermission>>> = {
  owner: new Set(ADMIN_PERMISSIONS),
  admin: new Set<AdminPermission>([
    'dashboard',
    'receipts',
    'users',
    'plans',
    'cards',
    'texts',
    'broadcasts',
    'tickets',
    'lookup',
  ]),
  support: new Set<AdminPermission>(['tickets', 'lookup']),
};

export function roleAllows(role: AdminRole, permission: AdminPermission): boolean {
  return GRANTS[role].has(permission);
}

export function isAdminRole(value: unknown): value is AdminRole {
  return typeof value === 'string' && (ADMIN_ROLES as readonly string[]).includes(value);
}
