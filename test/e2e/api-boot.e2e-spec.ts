import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { applyEnv, createTestEnv, TestEnv } from '@botfleet/testing';
import { createApiApp } from '../../apps/api/src/bootstrap';

describe('API boot, health and auth basics', () => {
  let env: TestEnv;
  let app: INestApplication;
  let restore: () => void;

  beforeAll(async () => {
    env = await createTestEnv();
    restore = applyEnv(env.vars);
    app = await createApiApp();
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    restore?.();
    await env?.cleanup();
  });

  it('answers /health/live and /health/ready with PostgreSQL and Redis up', async () => {
    await request(app.getHttpServer()).get('/health/live').expect(200, { status: 'ok' });
    const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(ready.body.details).toMatchObject({ postgres: { status: 'up' }, redis: { status: 'up' } });
  });

  it('serves Prometheus metrics and the OpenAPI document', async () => {
    const m = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(m.text).toContain('process_cpu_user_seconds_total');
    const doc = await request(app.getHttpServer()).get('/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
  });

  it('unknown routes answer the error body of API.md', async () => {
    const res = await request(app.getHttpServer())
      .get('/v1/nope')
      .set('Authorization', `Bearer ${env.masterToken}`)
      .expect(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });
});
