import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { BroadcastRunsService } from '@botfleet/broadcasts';
import { TestBot, TestContext, WorkerWorld } from '@botfleet/testing';
import { createApiApp } from '../bootstrap';

jest.setTimeout(60_000);

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * POST /v1/bots/{botId}/broadcasts/{id}/photo: a picture from the shop owner's computer as a draft's photo.
 * Real API, PostgreSQL and Redis (the preview itself is the worker's: broadcast-photo-upload.int-spec).
 */
describe('broadcast photo upload (API)', () => {
  let ctx: TestContext;
  let app: INestApplication;
  let world: WorkerWorld;
  let a: TestBot;
  let b: TestBot;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    world = await WorkerWorld.start({ jobs: 'detached', createWorker: createApiApp });
    ({ ctx } = world);
    app = world.worker;
    a = await ctx.newBot({ name: 'Shop A' });
    b = await ctx.newBot({ name: 'Shop B' });
  });

  afterAll(() => world?.close());

  async function draft(bot: TestBot, body: Record<string, unknown> = {}): Promise<{ id: string; revision: number }> {
    const res = await http()
      .post(`/v1/bots/${bot.id}/broadcasts`)
      .set('Authorization', `Bearer ${bot.apiToken}`)
      .send({ text: 'Big <b>sale</b>', audience: { segment: 'all' }, ...body })
      .expect(201);
    return { id: res.body.id, revision: 0 };
  }
  const upload = (bot: TestBot, id: string, data: Buffer, contentType: string, field = 'photo') =>
    http()
      .post(`/v1/bots/${bot.id}/broadcasts/${id}/photo`)
      .set('Authorization', `Bearer ${bot.apiToken}`)
      .attach(field, data, { filename: 'sale.png', contentType });
  const read = async (bot: TestBot, id: string) =>
    (await http().get(`/v1/bots/${bot.id}/broadcasts/${id}`).set('Authorization', `Bearer ${bot.apiToken}`).expect(200))
      .body;

  it('stores the picture in place of the photo URL and asks for a new preview', async () => {
    const { id } = await draft(a, { photo: 'https://example.com/old.jpg' });
    const runs = ctx.get(BroadcastRunsService);
    expect(await runs.previewed(a.id, id, 0)).toBe(true);
    expect((await read(a, id)).previewedAt).not.toBeNull();

    const res = await upload(a, id, PNG, 'image/png').expect(200);
    expect(res.body).toMatchObject({ id, status: 'draft', photo: null, photoUpload: 'image/png', previewedAt: null });
    // The revision moved on: the earlier preview no longer counts, the new one (revision 1) does.
    expect(await runs.previewed(a.id, id, 0)).toBe(false);
    expect(await runs.photoUpload(a.id, id, 1)).toEqual({ data: PNG, contentType: 'image/png' });
    expect((await read(a, id)).photoUpload).toBe('image/png');

    // A photo given later replaces the picture (and drops its bytes); a change without one keeps it.
    await http()
      .patch(`/v1/bots/${a.id}/broadcasts/${id}`)
      .set('Authorization', `Bearer ${a.apiToken}`)
      .send({ text: 'Bigger sale' })
      .expect(200);
    expect(await runs.photoUpload(a.id, id, 2)).toEqual({ data: PNG, contentType: 'image/png' });
    const patched = await http()
      .patch(`/v1/bots/${a.id}/broadcasts/${id}`)
      .set('Authorization', `Bearer ${a.apiToken}`)
      .send({ photo: 'https://example.com/new.jpg' })
      .expect(200);
    expect(patched.body).toMatchObject({ photo: 'https://example.com/new.jpg', photoUpload: null });
    expect(await runs.photoUpload(a.id, id, 3)).toBeNull();
  });

  it('refuses what is not a JPEG, PNG or WebP picture with 400 naming the field, and changes nothing', async () => {
    const { id } = await draft(a);
    const declared = await upload(a, id, Buffer.from('GIF89a…'), 'image/gif').expect(400);
    expect(declared.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(declared.body.error.details).toEqual([{ field: 'photo', errors: [expect.stringMatching(/image\/jpeg/)] }]);
    // Declared a PNG, but its bytes are not a picture.
    const lying = await upload(a, id, Buffer.from('not a picture at all'), 'image/png').expect(400);
    expect(lying.body.error.details).toEqual([{ field: 'photo', errors: [expect.any(String)] }]);
    const noFile = await http()
      .post(`/v1/bots/${a.id}/broadcasts/${id}/photo`)
      .set('Authorization', `Bearer ${a.apiToken}`)
      .send({ photo: 'x' })
      .expect(400);
    expect(noFile.body.error.details[0].field).toBe('photo');
    await upload(a, id, PNG, 'image/png', 'picture').expect(400);
    expect(await read(a, id)).toMatchObject({ photo: null, photoUpload: null });
  });

  it('refuses a picture over 5 MB with 413', async () => {
    const { id } = await draft(a);
    const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
    const res = await upload(a, id, big, 'image/png').expect(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await read(a, id)).photoUpload).toBeNull();
  });

  it("another bot's broadcast is not found (404), whatever is sent", async () => {
    const { id } = await draft(b);
    await upload(a, id, PNG, 'image/png').expect(404);
    await upload(a, '00000000-0000-4000-8000-000000000000', PNG, 'image/png').expect(404);
    expect((await read(b, id)).photoUpload).toBeNull();
  });

  it('a started broadcast takes no new photo (409)', async () => {
    const { id } = await draft(a);
    expect(await ctx.get(BroadcastRunsService).previewed(a.id, id, 0)).toBe(true);
    await http()
      .post(`/v1/bots/${a.id}/broadcasts/${id}/start`)
      .set('Authorization', `Bearer ${a.apiToken}`)
      .expect(200);
    const res = await upload(a, id, PNG, 'image/png').expect(409);
    expect(res.body.error.code).toBe('CONFLICT');
    expect(await read(a, id)).toMatchObject({ photo: null, photoUpload: null });
  });

  it('a draft whose picture never came says so, and start refuses it with the reason (409)', async () => {
    const { id } = await draft(a, { photoUploadFollows: true });
    expect(await read(a, id)).toMatchObject({ awaitingPhoto: true, photoUpload: null, previewedAt: null });
    // Even a preview of the text alone (one queued before) does not let it start without its picture.
    expect(await ctx.get(BroadcastRunsService).previewed(a.id, id, 0)).toBe(true);
    const refused = await http()
      .post(`/v1/bots/${a.id}/broadcasts/${id}/start`)
      .set('Authorization', `Bearer ${a.apiToken}`)
      .expect(409);
    expect(refused.body.error).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/waits for its picture/),
    });
    await http()
      .patch(`/v1/bots/${a.id}/broadcasts/${id}`)
      .set('Authorization', `Bearer ${a.apiToken}`)
      .send({ text: 'Bigger <b>sale</b>', photoUploadFollows: true })
      .expect(200);
    expect((await read(a, id)).awaitingPhoto).toBe(true);

    // The picture arrives: no longer waiting (its preview is queued).
    expect((await upload(a, id, PNG, 'image/png').expect(200)).body).toMatchObject({
      awaitingPhoto: false,
      photoUpload: 'image/png',
    });
    // Saved without photoUploadFollows: a draft never waits.
    const plain = await draft(a);
    expect((await read(a, plain.id)).awaitingPhoto).toBe(false);
    const unwaited = await draft(a, { photoUploadFollows: true });
    await http()
      .patch(`/v1/bots/${a.id}/broadcasts/${unwaited.id}`)
      .set('Authorization', `Bearer ${a.apiToken}`)
      .send({ photo: 'https://example.com/instead.jpg' })
      .expect(200);
    expect((await read(a, unwaited.id)).awaitingPhoto).toBe(false);
    const listed = await http()
      .get(`/v1/bots/${a.id}/broadcasts`)
      .set('Authorization', `Bearer ${a.apiToken}`)
      .expect(200);
    expect(listed.body.items.find((x: { id: string }) => x.id === id)).toMatchObject({ awaitingPhoto: false });
  });

  it('a text too long for a caption cannot take a picture (400 on text)', async () => {
    const { id } = await draft(a, { text: 'x'.repeat(2000) });
    const res = await upload(a, id, PNG, 'image/png').expect(400);
    expect(res.body.error.details).toEqual([{ field: 'text', errors: [expect.stringMatching(/1024/)] }]);
    // Said at once when the draft is saved to take a picture next.
    const early = await http()
      .post(`/v1/bots/${a.id}/broadcasts`)
      .set('Authorization', `Bearer ${a.apiToken}`)
      .send({ text: 'x'.repeat(2000), audience: { segment: 'all' }, photoUploadFollows: true })
      .expect(400);
    expect(early.body.error.details).toEqual([{ field: 'text', errors: [expect.stringMatching(/1024/)] }]);
  });
});
