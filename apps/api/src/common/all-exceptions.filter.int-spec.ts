import { Body, Controller, Get, INestApplication, Module, Post } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { Logger, LoggerModule } from 'nestjs-pino';
import { Writable } from 'node:stream';
import request from 'supertest';
import { pinoParams } from '@botfleet/common';
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
}

@Module({
  imports: [
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
  beforeAll(async () => {
    const mod = await Test.createTestingModule({ imports: [BoomModule] }).compile();
    app = mod.createNestApplication({ bufferLogs: true });
    app.useLogger(app.get(Logger));
    await app.init();
  });
  afterAll(() => app?.close());

  it('answers 500 with an errorId that is in the log, and the log holds no token', async () => {
    const res = await request(app.getHttpServer()).get('/boom').expect(500);
    expect(res.body.error.code).toBe('INTERNAL');
    expect(JSON.stringify(res.body)).not.toContain('exploded');
    const errorId = res.body.error.details.errorId;
    await new Promise((r) => setTimeout(r, 50));
    const logged = lines.filter((l) => l.includes(errorId));
    expect(logged.length).toBeGreaterThanOrEqual(1);
    expect(logged.join('\n')).toContain('database exploded');
    expect(lines.join('\n')).not.toContain('AAFakeTokenForTestsOnly');
  });

  it('malformed JSON is a 400 VALIDATION_FAILED', async () => {
    const res = await request(app.getHttpServer()).post('/boom').set('Content-Type', 'application/json').send('{"a":');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });
});
