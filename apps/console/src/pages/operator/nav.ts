import type { NavEntry } from '../reseller/nav';

/** The operator's menu: routes under /operator. */
export const operatorNav: NavEntry[] = [{ to: 'tenants', label: 'operator:tenants', permission: 'operator' }];
