/** The reseller's menu: each entry is a route under /bots/:botId and the permission that shows it. */
export interface NavEntry {
  to: string;
  label: string;
  permission: string;
}

export const resellerNav: NavEntry[] = [{ to: 'dashboard', label: 'reseller:dashboard', permission: 'dashboard' }];
