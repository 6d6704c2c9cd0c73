import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Who may read /metrics (API and worker): with METRICS_TOKEN set, only `Authorization: Bearer <token>`;
 * without it, everyone outside production and nobody in production (the endpoint is hidden: 404).
 */
export function metricsAccess(
  settings: { token?: string; production: boolean },
  authorization: string | undefined,
): 'allowed' | 'unauthorized' | 'hidden' {
  if (!settings.token) return settings.production ? 'hidden' : 'allowed';
  const given = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!given) return 'unauthorized';
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(settings.token)) ? 'allowed' : 'unauthorized';
}
