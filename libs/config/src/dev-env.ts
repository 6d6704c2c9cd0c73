import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'dotenv';

/** Defaults that make `npm start` work on a developer machine with local PostgreSQL and Redis. */
export function developmentDefaults(): Record<string, string> {
  const db = 'botfleet';
  return {
    NODE_ENV: 'development',
    DATABASE_URL: `postgres://botfleet_app@127.0.0.1:5432/${db}`,
    DATABASE_OWNER_URL: `postgres://botfleet_owner@127.0.0.1:5432/${db}`,
    DATABASE_PLATFORM_URL: `postgres://botfleet_platform@127.0.0.1:5432/${db}`,
    DATABASE_ADMIN_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
    REDIS_URL: 'redis://127.0.0.1:6379/0',
    ENCRYPTION_KEY: `1:${randomBytes(32).toString('base64')}`,
    TOKEN_HASH_KEY: randomBytes(32).toString('base64'),
    MASTER_API_TOKEN: `bfm_${randomBytes(32).toString('base64url')}`,
    TELEGRAM_API_ROOT: 'https://api.telegram.org',
    BOT_MODE: 'polling',
    PUBLIC_BASE_URL: 'http://localhost:3000',
  };
}

/**
 * Loads `.env` into process.env (real environment wins). Outside production, when there
 * is no `.env`, writes one with fresh random secrets first, so a new machine needs no
 * configuration. In production nothing is invented.
 */
export function loadEnvFile(
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): { created: boolean; path: string } {
  const path = resolve(cwd, '.env');
  let created = false;
  if (!existsSync(path) && env.NODE_ENV !== 'production' && env.NODE_ENV !== 'test') {
    const lines = Object.entries(developmentDefaults()).map(([k, v]) => `${k}=${v}`);
    writeFileSync(path, `# Written by botfleet for local development. Never commit this file.\n${lines.join('\n')}\n`, {
      mode: 0o600,
    });
    created = true;
  }
  if (existsSync(path)) {
    const parsed = parse(readFileSync(path));
    for (const [k, v] of Object.entries(parsed)) if (env[k] === undefined) env[k] = v;
  }
  return { created, path };
}
