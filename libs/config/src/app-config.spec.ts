import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, noticeRetryWindowMs } from './app-config';

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

  it('takes a hash-tagged Redis prefix (the default) or a bare one, and cluster seeds only with a hash tag', () => {
    expect(loadConfig(valid()).REDIS_PREFIX).toBe('{bf}');
    expect(loadConfig({ ...valid(), REDIS_PREFIX: 'shop' }).REDIS_PREFIX).toBe('shop');
    expect(loadConfig(valid()).redisClusterNodes).toEqual([]);
    const cluster = loadConfig({ ...valid(), REDIS_CLUSTER_NODES: 'r1:7000, 10.0.0.2:7001' });
    expect(cluster.redisClusterNodes).toEqual([
      { host: 'r1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ]);
    const problem = (env: Record<string, string>) => {
      try {
        loadConfig({ ...valid(), ...env });
      } catch (e) {
        return (e as ConfigError).problems.map((p) => p.variable);
      }
      return [];
    };
    expect(problem({ REDIS_CLUSTER_NODES: 'r1:7000', REDIS_PREFIX: 'bf' })).toEqual(['REDIS_PREFIX']);
    expect(problem({ REDIS_CLUSTER_NODES: 'r1' })).toEqual(['REDIS_CLUSTER_NODES']);
    expect(problem({ REDIS_PREFIX: '{bf' })).toEqual(['REDIS_PREFIX']);
    expect(problem({ REDIS_PREFIX: '{a}{b}' })).toEqual(['REDIS_PREFIX']);
    expect(problem({ REDIS_CLUSTER_NODES: 'r1:7000', REDIS_PREFIX: '{run1}ctx' })).toEqual([]);
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

  it('TRUST_PROXY: none by default, a hop count or an address/CIDR list; anything else is refused by name', () => {
    expect(loadConfig(valid()).trustProxy).toBe(false);
    expect(loadConfig({ ...valid(), TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...valid(), TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,loopback, fd00::/64' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'loopback',
      'fd00::/64',
    ]);
    for (const bad of ['yes', '10.0.0.0/33', '300.1.1.1', '1.2.3.4/8/8', '-1', '10.0.0.0/8,']) {
      expect(() => loadConfig({ ...valid(), TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
    }
  });

  it('production: Swagger off unless asked for, metrics token checked, rate limit generous by default', () => {
    expect(loadConfig(valid()).swaggerEnabled).toBe(false);
    expect(loadConfig({ ...valid(), SWAGGER_ENABLED: 'true' }).swaggerEnabled).toBe(true);
    expect(loadConfig({ ...valid(), NODE_ENV: 'development' }).swaggerEnabled).toBe(true);
    expect(() => loadConfig({ ...valid(), METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(loadConfig(valid()).API_RATE_LIMIT_PER_MINUTE).toBe(1200);
    expect(() => loadConfig({ ...valid(), API_RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(/API_RATE_LIMIT_PER_MINUTE/);
  });

  it('refuses a support claim stale window as long as the notice retries (no retry would take the claim over)', () => {
    // The defaults: 5 minutes against 12 tries from 10 s, 10 s·(2^11 − 1) = 20 470 s.
    expect(noticeRetryWindowMs(12, 10_000)).toBe(20_470_000);
    expect(loadConfig(valid()).SUPPORT_NOTICE_CLAIM_STALE_MS).toBe(300_000);
    // 4 tries from 1 s span 7 s: a 6.999 s window fits, 7 s and more do not.
    const short = { NOTICE_ATTEMPTS: '4', NOTICE_BACKOFF_MS: '1000' };
    expect(
      loadConfig({ ...valid(), ...short, SUPPORT_NOTICE_CLAIM_STALE_MS: '6999' }).SUPPORT_NOTICE_CLAIM_STALE_MS,
    ).toBe(6_999);
    for (const stale of ['7000', '300000']) {
      let error: unknown;
      try {
        loadConfig({ ...valid(), ...short, SUPPORT_NOTICE_CLAIM_STALE_MS: stale });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        { variable: 'SUPPORT_NOTICE_CLAIM_STALE_MS', reason: expect.stringContaining('7000 ms') },
      ]);
      expect((error as ConfigError).message).toMatch(/must be shorter than the notice job's retries/);
    }
    // A single try has no retry at all: any window is refused.
    expect(() => loadConfig({ ...valid(), NOTICE_ATTEMPTS: '1' })).toThrow(/SUPPORT_NOTICE_CLAIM_STALE_MS/);
    // A bad NOTICE_* variable is named itself, not blamed on the stale window.
    expect(() => loadConfig({ ...valid(), NOTICE_ATTEMPTS: '0' })).toThrow(/NOTICE_ATTEMPTS: /);
    expect(() => loadConfig({ ...valid(), NOTICE_ATTEMPTS: '0' })).not.toThrow(/SUPPORT_NOTICE_CLAIM_STALE_MS/);
  });
});
