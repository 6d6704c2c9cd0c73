import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from './app-config';

const valid = () => ({
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://botfleet_app@db:5432/botfleet',
  DATABASE_OWNER_URL: 'postgres://botfleet_owner@db:5432/botfleet',
  DATABASE_PLATFORM_URL: 'postgres://botfleet_platform@db:5432/botfleet',
  REDIS_URL: 'redis://redis:6379/0',
  ENCRYPTION_KEY: `1:${randomBytes(32).toString('base64')}`,
  TOKEN_HASH_KEY: randomBytes(32).toString('base64'),
  MASTER_API_TOKEN: 'm'.repeat(40),
});

describe('loadConfig', () => {
  it('accepts a complete configuration and applies defaults', () => {
    const c = loadConfig(valid());
    expect(c.BOT_MODE).toBe('polling');
    expect(c.API_PORT).toBe(3000);
    expect(c.masterAdminTelegramIds).toEqual([]);
    expect(loadConfig({ ...valid(), MASTER_ADMIN_TELEGRAM_IDS: '1, 22' }).masterAdminTelegramIds).toEqual([1, 22]);
  });

  it('names every missing or invalid variable in one error, without their values', () => {
    const env = {
      ...valid(),
      ENCRYPTION_KEY: undefined,
      API_PORT: '99999',
      BOT_MODE: 'carrier-pigeon',
      REDIS_URL: 'http://x',
    };
    let err: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const vars = (err as ConfigError).problems.map((p) => p.variable).sort();
    expect(vars).toEqual(['API_PORT', 'BOT_MODE', 'ENCRYPTION_KEY', 'REDIS_URL']);
    expect((err as ConfigError).message).toContain('ENCRYPTION_KEY: is required');
    expect((err as ConfigError).message).not.toContain('carrier-pigeon');
  });

  it('rejects a short encryption key and a malformed master bot token', () => {
    const env = { ...valid(), ENCRYPTION_KEY: randomBytes(16).toString('base64'), MASTER_BOT_TOKEN: 'nope' };
    expect(() => loadConfig(env)).toThrow(
      /ENCRYPTION_KEY[\s\S]*MASTER_BOT_TOKEN|MASTER_BOT_TOKEN[\s\S]*ENCRYPTION_KEY/,
    );
  });

  it('accepts a rotated key list', () => {
    const k = () => randomBytes(32).toString('base64');
    expect(loadConfig({ ...valid(), ENCRYPTION_KEY: `1:${k()},2:${k()}` }).ENCRYPTION_KEY).toContain('2:');
  });
});
