import pino from 'pino';
import { Writable } from 'node:stream';
import { pinoParams, scrubSecrets } from '@botfleet/common';
import { loadConfig } from '@botfleet/config';

const BASE = {
  DATABASE_URL: 'postgres://a@b/c',
  DATABASE_OWNER_URL: 'postgres://a@b/c',
  DATABASE_PLATFORM_URL: 'postgres://a@b/c',
  REDIS_URL: 'redis://localhost:6379',
  ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
  TOKEN_HASH_KEY: Buffer.alloc(32, 2).toString('base64'),
  MASTER_API_TOKEN: 'm'.repeat(40),
};

describe('console session secrets and cookie flags', () => {
  it('the response log line never holds the session cookie a sign-in sets', () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const options = pinoParams('info', 'api').pinoHttp as pino.LoggerOptions;
    pino(options, out).info(
      { res: { statusCode: 201, headers: { 'set-cookie': 'bf_session=s3cr3t-session-token; HttpOnly' } } },
      'request completed',
    );
    expect(lines.join('')).not.toContain('s3cr3t-session-token');
    expect(lines.join('')).toContain('[redacted]');
  });

  it('a signed receipt-photo URL is scrubbed from log lines', () => {
    const url = '/v1/media/receipts/0b6c.1f2e.1764400000.abcdef0123';
    expect(scrubSecrets(`GET ${url} 200`)).toBe('GET /v1/media/receipts/[signed] 200');
  });

  it('the cookie is Secure in production unless CONSOLE_COOKIE_SECURE=false, and not in development or tests', () => {
    expect(loadConfig({ ...BASE, NODE_ENV: 'production' }).consoleCookieSecure).toBe(true);
    expect(loadConfig({ ...BASE, NODE_ENV: 'production', CONSOLE_COOKIE_SECURE: 'false' }).consoleCookieSecure).toBe(
      false,
    );
    expect(loadConfig({ ...BASE, NODE_ENV: 'development' }).consoleCookieSecure).toBe(false);
    expect(loadConfig({ ...BASE, NODE_ENV: 'test', CONSOLE_COOKIE_SECURE: 'true' }).consoleCookieSecure).toBe(true);
    expect(loadConfig({ ...BASE }).CONSOLE_LINK_TTL_S).toBe(300);
    expect(() => loadConfig({ ...BASE, CONSOLE_LINK_TTL_S: '5' })).toThrow(/CONSOLE_LINK_TTL_S/);
  });
});
