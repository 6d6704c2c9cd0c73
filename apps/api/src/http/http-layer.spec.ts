import { Body, Controller, Get, HttpCode, Module, Post, Req } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { FastifyRequest } from 'fastify';
import request from 'supertest';
import { AllExceptionsFilter } from '../common/all-exceptions.filter';
import { AcceptsMultipart, configureFastify, createFastifyAdapter, initFastifyApp, readUpload, WithRawBody } from '.';

@Controller('t')
class ProbeController {
  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: unknown, @Req() req: FastifyRequest & WithRawBody) {
    return { body, raw: req.rawBody?.toString('utf8') ?? null };
  }

  @Get('items')
  items() {
    return { ok: true };
  }

  @Post('upload')
  @HttpCode(200)
  @AcceptsMultipart()
  async upload(@Req() req: FastifyRequest) {
    const file = await readUpload(req, { field: 'receipt', maxBytes: 1024, mimeTypes: ['image/jpeg', 'image/png'] });
    return { size: file.data.length, mimetype: file.mimetype, fields: file.fields };
  }
}

@Module({ controllers: [ProbeController], providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }] })
class ProbeModule {}

/** The HTTP layer of the API on Fastify, in memory: the body rules every route gets, uploads where marked. */
describe('API HTTP layer (Fastify)', () => {
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const mod = await Test.createTestingModule({ imports: [ProbeModule] }).compile();
    app = mod.createNestApplication<NestFastifyApplication>(createFastifyAdapter({ trustProxy: false }), {
      logger: false,
      bodyParser: false,
    });
    await configureFastify(app);
    await initFastifyApp(app);
  });
  afterAll(() => app?.close());

  it('keeps the exact bytes of a JSON body on req.rawBody (signatures are computed over them)', async () => {
    const sent = '{ "b": 2,\n "a": [1, "x"] }';
    const res = await http().post('/t/echo').set('Content-Type', 'application/json; charset=utf-8').send(sent);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ body: { b: 2, a: [1, 'x'] }, raw: sent });
  });

  it('reads application/<x>+json, and an empty JSON body as {}', async () => {
    const vendor = await http().post('/t/echo').set('Content-Type', 'application/merge-patch+json').send('{"a":1}');
    expect(vendor.body.body).toEqual({ a: 1 });
    const empty = await http().post('/t/echo').set('Content-Type', 'application/json').send('');
    expect(empty.status).toBe(200);
    expect(empty.body.body).toEqual({});
  });

  it('refuses malformed JSON, a bare value at the top and prototype keys: 400 VALIDATION_FAILED', async () => {
    for (const sent of ['{"a":', '"text"', '42', 'null', '{"__proto__": {"admin": true}}']) {
      const res = await http().post('/t/echo').set('Content-Type', 'application/json').send(sent);
      expect({ sent, status: res.status, code: res.body.error?.code }).toEqual({
        sent,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    // A prototype key is named, as the validation names every forbidden key (Fastify refuses it before that).
    const poisoned = await http()
      .post('/t/echo')
      .set('Content-Type', 'application/json')
      .send('{"a": {"__proto__": {"admin": true}}}');
    expect(poisoned.status).toBe(400);
    expect(poisoned.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'a.__proto__' }] });
  });

  it('a body over 100 KiB is 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await http()
      .post('/t/echo')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ a: 'x'.repeat(101 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a body that is not JSON is 415 before parsing; multipart too, on a route not marked for uploads', async () => {
    const text = await http().post('/t/echo').set('Content-Type', 'text/plain').send('a=1');
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const form = await http().post('/t/echo').type('form').send({ a: '1' });
    expect(form.status).toBe(415);
    const multipart = await http().post('/t/echo').attach('receipt', Buffer.from('x'), 'r.png');
    expect(multipart.status).toBe(415);
  });

  it('a path with a trailing slash is the same route; an unknown one is 404 in the error shape', async () => {
    await http().get('/t/items/').expect(200);
    const res = await http().get('/t/nothing').expect(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('an upload route reads the file and the fields sent before it', async () => {
    const res = await http()
      .post('/t/upload')
      .field('note', 'paid at 10:00')
      .attach('receipt', Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]), {
        filename: 'r.png',
        contentType: 'image/png',
      });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ size: 8, mimetype: 'image/png', fields: { note: 'paid at 10:00' } });
  });

  it('upload refusals: wrong type or field 400, over the limit 413, JSON 400 naming the field', async () => {
    const pdf = await http()
      .post('/t/upload')
      .attach('receipt', Buffer.from('%PDF'), { filename: 'r.pdf', contentType: 'application/pdf' });
    expect(pdf.status).toBe(400);
    expect(pdf.body.error.details).toEqual([{ field: 'receipt', errors: [expect.stringContaining('image/jpeg')] }]);
    const other = await http()
      .post('/t/upload')
      .attach('photo', Buffer.from('x'), { filename: 'r.png', contentType: 'image/png' });
    expect(other.status).toBe(400);
    const big = await http()
      .post('/t/upload')
      .attach('receipt', Buffer.alloc(2048, 1), { filename: 'r.png', contentType: 'image/png' });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const json = await http().post('/t/upload').send({ receipt: 'x' });
    expect(json.status).toBe(400);
    expect(json.body.error.details[0].field).toBe('receipt');
  });
});
