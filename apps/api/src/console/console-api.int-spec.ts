import { mkdtemp, mkdir, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import request from 'supertest';
import { applyEnv, createTestEnv, TestEnv } from '@botfleet/testing';
import { createApiApp } from '../bootstrap';
import { mountConsole } from './console-static';

const SCHEMA = join(__dirname, '../../../console/src/api/schema.d.ts');
const ENUMS = join(__dirname, '../../../console/src/api/enums.ts');
const HEADER = '// Generated from the API\'s /docs-json by `npm run console:schema`. Do not edit.\n';

/**
 * The console's typed client follows the API's OpenAPI document: a renamed field fails the console's build.
 * openapi-typescript runs as its own CLI (it is ES modules only, and jest here runs CommonJS).
 */
async function schemaOf(doc: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bf-schema-'));
  try {
    await writeFile(join(dir, 'doc.json'), JSON.stringify(doc));
    const bin = join(__dirname, '../../../../node_modules/.bin/openapi-typescript');
    await promisify(execFile)(bin, [join(dir, 'doc.json'), '-o', join(dir, 'schema.d.ts')]);
    return HEADER + (await readFile(join(dir, 'schema.d.ts'), 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The values of the document's named enums (`enumName` in a DTO, e.g. OrderPaymentMethod from the gateway
 * registry), for the console's filter options: types alone cannot give a list at run time.
 */
function enumsOf(doc: { components?: { schemas?: Record<string, { enum?: unknown[] }> } }): string {
  const named = Object.entries(doc.components?.schemas ?? {})
    .filter(([, s]) => Array.isArray(s.enum))
    .sort(([x], [y]) => x.localeCompare(y));
  const lines = named.map(
    ([name, s]) =>
      `export const ${name} = ${JSON.stringify(s.enum)} as const satisfies readonly components['schemas']['${name}'][];\n`,
  );
  return HEADER + "import type { components } from './schema';\n\n" + lines.join('');
}

describe('the web console in the API (real PostgreSQL/Redis)', () => {
  let env: TestEnv;
  let app: NestFastifyApplication;
  let restore: () => void;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    env = await createTestEnv();
    restore = applyEnv(env.vars);
    app = await createApiApp();
  });

  afterAll(async () => {
    await app?.close();
    restore?.();
    await env?.cleanup();
  });

  it("the console's API types are generated from the API's current OpenAPI document", async () => {
    const doc = (await http().get('/docs-json').expect(200)).body;
    const fresh = await schemaOf(doc);
    const freshEnums = enumsOf(doc);
    if (process.env.UPDATE_CONSOLE_SCHEMA === '1') {
      await writeFile(SCHEMA, fresh);
      await writeFile(ENUMS, freshEnums);
    }
    const committed = await readFile(SCHEMA, 'utf8');
    // On a difference: `npm run console:schema`, then fix what the console's typecheck reports.
    expect(committed === fresh).toBe(true);
    expect((await readFile(ENUMS, 'utf8')) === freshEnums).toBe(true);
  });

  describe('serving the build under /console', () => {
    let root: string;
    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'bf-console-'));
      await mkdir(join(root, 'assets'));
      await writeFile(join(root, 'index.html'), '<!doctype html><div id="root"></div>');
      await writeFile(join(root, 'assets', 'app-abc123.js'), 'console.log(1)');
      await writeFile(join(root, '..', 'secret.txt'), 'outside');
    });
    afterAll(async () => {
      await rm(root, { recursive: true, force: true });
      await rm(join(root, '..', 'secret.txt'), { force: true });
    });

    it('an asset with a year of cache; any page path gets index.html, never cached, with a strict CSP', async () => {
      const fastify = (await import('fastify')).default();
      mountConsole(fastify, root);
      await fastify.ready();
      try {
        const asset = await fastify.inject({ url: '/console/assets/app-abc123.js' });
        expect(asset.statusCode).toBe(200);
        expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
        expect(asset.headers['cache-control']).toContain('immutable');
        for (const path of ['/console/', '/console/login', '/console/bots/1/receipts']) {
          const page = await fastify.inject({ url: path });
          expect(page.statusCode).toBe(200);
          expect(page.body).toContain('<div id="root">');
          expect(page.headers['cache-control']).toBe('no-cache');
          expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
        }
        const bare = await fastify.inject({ url: '/console' });
        expect(bare.statusCode).toBe(200);
        expect(bare.body).toContain('<div id="root">');
        expect((await fastify.inject({ url: '/console/assets/missing.js' })).statusCode).toBe(404);
        // A path that climbs out of the build never reads outside it.
        for (const url of ['/console/../secret.txt', '/console/%2e%2e/secret.txt', '/console/..%2fsecret.txt']) {
          const res = await fastify.inject({ url });
          expect(res.body).not.toContain('outside');
        }
      } finally {
        await fastify.close();
      }
    });

    it('a missing build answers 503 saying how to build it, not a blank page', async () => {
      const fastify = (await import('fastify')).default();
      mountConsole(fastify, join(root, 'nope'));
      await fastify.ready();
      const res = await fastify.inject({ url: '/console/' });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('npm run build');
      await fastify.close();
    });
  });

  it('the API serves the console at /console and /console/ alike, never redirecting to itself', async () => {
    const page = await http().get('/console/login');
    for (const path of ['/console', '/console/']) {
      const res = await http().get(path);
      expect(res.status).not.toBe(301);
      expect(res.status).toBe(page.status);
      expect(res.headers['content-type']).toBe(page.headers['content-type']);
    }
  });
});
