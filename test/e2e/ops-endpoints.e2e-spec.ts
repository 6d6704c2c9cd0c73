import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { applyEnv, createTestEnv, spawnWorker, TestEnv, WorkerProcess } from '@botfleet/testing';
import { createApiApp } from '../../apps/api/src/bootstrap';

const METRICS_TOKEN = 'metrics-token-for-the-scraper-0123456789';

describe('operational endpoints in production: /metrics needs METRICS_TOKEN, Swagger off unless asked for', () => {
  let env: TestEnv;
  const apps: INestApplication[] = [];
  let worker: WorkerProcess | undefined;

  async function api(vars: Record<string, string>): Promise<INestApplication> {
    const restore = applyEnv({ ...env.vars, NODE_ENV: 'production', ...vars });
    try {
      const app = await createApiApp();
      await app.init();
      apps.push(app);
      return app;
    } finally {
      restore();
    }
  }

  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await worker?.kill();
    await env?.cleanup();
  });

  it('without METRICS_TOKEN or SWAGGER_ENABLED: /metrics, /docs and /docs-json are not served; health is', async () => {
    const http = request((await api({})).getHttpServer());
    await http.get('/metrics').expect(404);
    await http.get('/metrics').set('Authorization', `Bearer ${env.masterToken}`).expect(404);
    await http.get('/docs-json').expect(404);
    await http.get('/docs').expect(404);
    await http.get('/health/live').expect(200);
    await http.get('/health/ready').expect(200);
  });

  it('with METRICS_TOKEN: /metrics is 401 without it or with another token (the master token too) and 200 with it; SWAGGER_ENABLED=true serves the document', async () => {
    const http = request((await api({ METRICS_TOKEN, SWAGGER_ENABLED: 'true' })).getHttpServer());
    await http.get('/metrics').expect(401);
    await http.get('/metrics').set('Authorization', `Bearer ${env.masterToken}`).expect(401);
    await http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}x`).expect(401);
    const ok = await http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    expect(ok.text).toContain('process_cpu_user_seconds_total');
    await http.get('/docs-json').expect(200);
  });

  it("the worker's /metrics follows the same rule", async () => {
    worker = await spawnWorker(env.vars, { NODE_ENV: 'production', METRICS_TOKEN });
    const url = `http://127.0.0.1:${worker.port}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    const ok = await fetch(url, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('process_cpu_user_seconds_total');
    await worker.kill();
    worker = await spawnWorker(env.vars, { NODE_ENV: 'production' });
    expect((await fetch(`http://127.0.0.1:${worker.port}/metrics`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${worker.port}/health/live`)).status).toBe(200);
  });
});
