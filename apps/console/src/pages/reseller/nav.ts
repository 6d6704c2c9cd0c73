/** The reseller's menu: each entry is a route under /bots/:botId and the permission that shows it. */
export interface NavEntry {
  to: string;
  label: string;
  permission: string;
}

export const resellerNav: NavEntry[] = [
  { to: 'dashboard', label: 'sales:dashboard', permission: 'dashboard' },
  { to: 'receipts', label: 'sales:receipts', permission: 'receipts' },
  { to: 'orders', label: 'sales:orders', permission: 'dashboard' },
  { to: 'payments', label: 'sales:payments', permission: 'dashboard' },
  { to: 'customers', label: 'sales:customers', permission: 'lookup' },
  { to: 'referrals', label: 'sales:referrals', permission: 'dashboard' },
  { to: 'wallet', label: 'sales:wallet', permission: 'wallet' },
  { to: 'audit-log', label: 'sales:audit_log', permission: 'settings' },
  { to: 'plans', label: 'setup:plans', permission: 'plans' },
  { to: 'cards', label: 'setup:cards', permission: 'cards' },
  { to: 'promo-codes', label: 'setup:promo_codes', permission: 'plans' },
  { to: 'broadcasts', label: 'setup:broadcasts', permission: 'broadcasts' },
  { to: 'tickets', label: 'setup:tickets', permission: 'tickets' },
  { to: 'texts', label: 'setup:texts', permission: 'texts' },
  { to: 'features', label: 'setup:features', permission: 'settings' },
  { to: 'settings', label: 'setup:settings', permission: 'settings' },
];
