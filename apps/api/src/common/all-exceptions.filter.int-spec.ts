import { Body, Controller, Get, INestApplication, Module, Post } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Logger, LoggerModule } from 'nestjs-pino';
import { Writable } from 'node:stream';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { pinoParams } from '@botfleet/common';
import { clsByMiddlewareOnly } from '@botfleet/dal';
import { createTestDatabase, TestDatabase } from '@botfleet/testing';
import { configureFastify, createFastifyAdapter, initFastifyApp } from '../http';
import { AllExceptionsFilter } from './all-exceptions.filter';

const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, cb) {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    cb();
  },
});

@Controller('boom')
class BoomController {
  @Get()
  boom(): never {
    throw new Error('database exploded for bot 123456789:AAFakeTokenForTestsOnly_abcdefghijklmno');
  }

  @Post()
  echo(@Body() body: unknown): unknown {
    return body;
  }

  /** Stores what it is given as is: the database is the only check (issue 11: its refusals are the client's fault). */
  @Post('store')
  async store(@Body() body: { code: unknown; n: unknown; text: unknown }): Promise<void> {
    await database.query(`INSERT INTO input_probe (code, n, text) VALUES ($1, $2, $3)`, [body.code, body.n, body.text]);
  }

  /** Two transactions locking two rows in opposite orders: PostgreSQL aborts one with 40P01 (a real deadlock). */
  @Post('deadlock')
  async deadlock(): Promise<never> {
    const lockBoth = (first: number, second: number) =>
      database.transaction(async (m) => {
        await m.query(`UPDATE deadlock_probe SET n = n + 1 WHERE id = $1`, [first]);
        await new Promise((r) => setTimeout(r, 200));
        await m.query(`UPDATE deadlock_probe SET n = n + 1 WHERE id = $1`, [second]);
      });
    const results = await Promise.allSettled([lockBoth(1, 2), lockBoth(2, 1)]);
    const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    throw lost ? lost.reason : new Error('no deadlock happened');
  }
}

let database: DataSource;

@Module({
  imports: [
    clsByMiddlewareOnly(),
    LoggerModule.forRoot({
      ...pinoParams('info', 'test'),
      pinoHttp: { ...pinoParams('info', 'test').pinoHttp, stream: sink } as never,
    }),
  ],
  controllers: [BoomController],
  providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
})
class BoomModule {}

describe('AllExceptionsFilter', () => {
  let app: INestApplication;
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    database = await db.owner();
    await database.query(`CREATE TABLE deadlock_probe (id int PRIMARY KEY, n int NOT NULL DEFAULT 0)`);
    await database.query(`INSERT INTO deadlock_probe (id) VALUES (1), (2)`);
    await database.query(
      `CREATE TABLE input_probe (code varchar(5) NOT NULL, n smallint CONSTRAINT input_probe_n_range CHECK (n >= 0), text text)`,
    );
    const mod = await Test.createTestingModule({ imports: [BoomModule] }).compile();
    const fastifyApp = mod.createNestApplication<NestFastifyApplication>(createFastifyAdapter({ trustProxy: false }), {
      bufferLogs: true,
      bodyParser: false,
    });
    fastifyApp.useLogger(fastifyApp.get(Logger));
    await configureFastify(fastifyApp);
    app = await initFastifyApp(fastifyApp);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('answers 500 with an errorId that is in the log, and the log holds no token', async () => {
    const res = await request(app.getHttpServer()).get('/boom').expect(500);
    expect(res.body.error.code).toBe('INTERNAL');
    expect(JSON.stringify(res.body)).not.toContain('exploded');
    const errorId = res.body.error.details.errorId;
    await new Promise((r) => setTimeout(r, 50));
    const logged = lines.filter((l) => l.includes(errorId));
    expect(logged.length).toBeGreaterThanOrEqual(1);
    expect(logged.join('\n')).toContain('database exploded');
    // Written during the request: it carries the request's id, the one its "request completed" line names.
    const reqId = (JSON.parse(logged[0]) as { reqId?: string }).reqId;
    expect(reqId).toBeTruthy();
    const done = lines.map((l) => JSON.parse(l) as { msg: string; req?: { id: string } });
    expect(done.some((l) => l.msg === 'request completed' && l.req?.id === reqId)).toBe(true);
    expect(lines.join('\n')).not.toContain('AAFakeTokenForTestsOnly');
  });

  it('every request writes one "request completed" line: id, method, URL (secrets scrubbed), status, time', async () => {
    const logged = (url: string) =>
      lines
        .map((l) => JSON.parse(l) as { msg: string; level: number; req?: { id: string; url: string; method: string } })
        .filter((l) => l.msg === 'request completed' && l.req?.url.startsWith(url));
    await request(app.getHttpServer()).post('/boom').send({ a: 1 }).expect(201);
    await request(app.getHttpServer()).post('/boom').set('Content-Type', 'application/json').send('{"a":').expect(400);
    await request(app.getHttpServer()).get('/boom?token=123456789:AAFakeTokenForTestsOnly_abcdefghijklmno').expect(500);
    await request(app.getHttpServer()).get('/health/live').expect(404);
    await new Promise((r) => setTimeout(r, 50));
    const posts = logged('/boom').filter((l) => l.req?.method === 'POST');
    expect(posts.map((l) => [l.level, (l as { res?: { statusCode: number } }).res?.statusCode])).toEqual(
      expect.arrayContaining([
        [30, 201],
        [40, 400],
      ]),
    );
    const failed = logged('/boom?').at(-1)!;
    expect(failed).toMatchObject({ level: 50, req: { method: 'GET' }, res: { statusCode: 500 } });
    expect(typeof (failed as { responseTime?: unknown }).responseTime).toBe('number');
    expect(failed.req!.id).toBeTruthy();
    expect(JSON.stringify(failed)).not.toContain('AAFakeTokenForTestsOnly');
    // A probe is logged when it fails (404 here), never when it answers.
    expect(logged('/health/live').map((l) => l.level)).toEqual([40]);
  });

  it('malformed JSON is a 400 VALIDATION_FAILED', async () => {
    const res = await request(app.getHttpServer()).post('/boom').set('Content-Type', 'application/json').send('{"a":');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('a value the database refuses (too long, out of range, check, NUL, bad text) is a 400, never a 500', async () => {
    const ok = { code: 'a', n: 1, text: 't' };
    for (const body of [
      { ...ok, code: 'toolong' }, // 22001
      { ...ok, n: 70000 }, // 22003
      { ...ok, n: -1 }, // 23514
      { ...ok, n: 'x' }, // 22P02
      { ...ok, text: 'a\u0000b' }, // 22021
    ]) {
      const res = await request(app.getHttpServer()).post('/boom/store').send(body);
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({
        body,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      expect(JSON.stringify(res.body)).not.toMatch(/input_probe|varchar|smallint/);
    }
    expect(await database.query(`SELECT * FROM input_probe`)).toEqual([]);
  });

  it('a violated range CHECK (`<table>_<column>_range`) names its column as the field', async () => {
    const res = await request(app.getHttpServer()).post('/boom/store').send({ code: 'a', n: -1, text: 't' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: 'n', errors: [expect.any(String)] }]);
  });

  it('a deadlock (or any transient database failure) is a 503 with Retry-After: rolled back, try again', async () => {
    const res = await request(app.getHttpServer()).post('/boom/deadlock').expect(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body.error).toMatchObject({ code: 'DEPENDENCY_DOWN', details: { errorId: expect.any(String) } });
    expect(JSON.stringify(res.body)).not.toMatch(/deadlock_probe|40P01/);
    // The winner committed both of its updates; the loser's first update was rolled back with it.
    const rows: { n: number }[] = await database.query(`SELECT n FROM deadlock_probe ORDER BY id`);
    expect(rows.map((r) => r.n)).toEqual([1, 1]);
  });
});
