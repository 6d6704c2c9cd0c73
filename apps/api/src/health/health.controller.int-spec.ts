import { INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import request from 'supertest';
import { REDIS, RedisModule } from '@botfleet/common';
import type Redis from 'ioredis';
import { ConfigModule } from '@botfleet/config';
import { DatabasePing } from '@botfleet/dal';
import { applyEnv, createTestEnv, TestEnv } from '@botfleet/testing';
import { AllExceptionsFilter } from '../common/all-exceptions.filter';
import { initFastifyApp } from '../http';
import { HealthController } from './health.controller';

describe('/health/ready with a dependency down (real Redis, PostgreSQL failing)', () => {
  let env: TestEnv;
  let restore: () => void;
  let app: INestApplication;
  // What a driver says when PostgreSQL is gone: host, port and role — not for whoever reaches the API.
  const driverError = 'connect ECONNREFUSED 10.9.8.7:5432 password authentication failed for user "botfleet_app"';

  beforeAll(async () => {
    env = await createTestEnv();
    restore = applyEnv(env.vars);
    const mod = await Test.createTestingModule({
      imports: [ConfigModule, RedisModule, TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        { provide: DatabasePing, useValue: { ping: () => Promise.reject(new Error(driverError)) } },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    }).compile();
    app = await initFastifyApp(mod.createNestApplication(new FastifyAdapter(), { logger: false }));
    await app.get<Redis>(REDIS).ping();
  });
  afterAll(async () => {
    await app?.close();
    restore?.();
    await env?.cleanup();
  });

  it('answers 503 naming the dependency that is down, without the raw error text', async () => {
    const res = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(res.text).not.toMatch(/ECONNREFUSED|10\.9\.8\.7|5432|botfleet_app|password/);
    expect(res.body.details).toEqual({
      postgres: { status: 'down', reason: 'unavailable' },
      redis: { status: 'up' },
    });
  });
});
