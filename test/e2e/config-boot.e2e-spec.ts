import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

describe('process boot with bad configuration', () => {
  for (const app of ['api', 'worker']) {
    it(`${app}: NODE_ENV=production without ENCRYPTION_KEY exits non-zero naming the variable, inventing nothing`, () => {
      const cwd = mkdtempSync(join(tmpdir(), 'bf-boot-'));
      const res = spawnSync(process.execPath, [join(root, 'dist', 'apps', app, 'src', 'main.js')], {
        cwd,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          DATABASE_URL: 'postgres://botfleet_app@127.0.0.1:5432/x',
          DATABASE_OWNER_URL: 'postgres://botfleet_owner@127.0.0.1:5432/x',
          DATABASE_PLATFORM_URL: 'postgres://botfleet_platform@127.0.0.1:5432/x',
          REDIS_URL: 'redis://127.0.0.1:6379',
        },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(res.status).toBe(1);
      expect(res.stderr).toContain('ENCRYPTION_KEY: is required');
      expect(res.stderr).toContain('TOKEN_HASH_KEY: is required');
      expect(res.stderr).toContain('MASTER_API_TOKEN: is required');
      expect(existsSync(join(cwd, '.env'))).toBe(false);
    });
  }
});
