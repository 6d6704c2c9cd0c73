/**
 * Database roles (cluster-wide). The names are fixed so that migrations can grant to them;
 * `db:setup` creates them. The owner runs migrations; the app role owns nothing and cannot
 * bypass row-level security; the platform role bypasses it and is used only by libs/platform.
 */
export const DB_ROLES = {
  owner: 'botfleet_owner',
  app: 'botfleet_app',
  platform: 'botfleet_platform',
} as const;
