import { Actors } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { BroadcastRunsService, BroadcastsService } from '@botfleet/broadcasts';
import { AbandonedBroadcastPhotos, PlatformDb } from '@botfleet/platform';
import { createTestEnv, TestBot, TestContext, TestEnv } from '@botfleet/testing';
import { JOB_SCHEDULES } from '../jobs/job-schedules';
import { JobName } from '@botfleet/jobs';
import { BroadcastPhotoSweepHandler } from './broadcast-photo-sweep.handler';

/** A 1×1 PNG, as a shop owner's picture would arrive from the console. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const MAX_AGE_MS = 2_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Uploaded broadcast pictures whose draft nobody finished (no preview ever took them to Telegram) are dropped by
 * the hourly sweep once the draft is older than BROADCAST_PHOTO_UPLOAD_MAX_AGE_MS, in every bot; a fresh one stays,
 * and the draft that lost its picture says so and cannot start without a new one. Real PostgreSQL and Redis; no
 * worker consumes the preview jobs, so the bytes wait as they would for an abandoned draft.
 */
describe('broadcast photo sweep (worker)', () => {
  jest.setTimeout(60_000);
  let env: TestEnv;
  let ctx: TestContext;
  let a: TestBot;
  let b: TestBot;

  beforeAll(async () => {
    env = await createTestEnv();
    ctx = await TestContext.create({ env, jobs: 'detached' });
    a = await ctx.newBot();
    b = await ctx.newBot();
  });
  afterAll(async () => {
    await ctx?.close();
    await env?.cleanup();
  });

  async function uploadedDraft(bot: TestBot, text: string): Promise<string> {
    const service = ctx.get(BroadcastsService);
    const actor = Actors.tenantApi(bot.id);
    const v = await service.create(bot.id, { text, audience: { segment: 'all' }, photoUploadFollows: true }, actor);
    await service.uploadPhoto(bot.id, v.broadcast.id, { data: PNG, contentType: 'image/png' }, actor);
    return v.broadcast.id;
  }

  it('is a periodic job', () => {
    expect(JOB_SCHEDULES.map((s) => s.name)).toContain(JobName.SweepBroadcastPhotos);
  });

  it('drops the bytes of drafts left longer than the age, in every bot, and keeps fresh ones', async () => {
    const runs = ctx.get(BroadcastRunsService);
    const service = ctx.get(BroadcastsService);
    const config = { ...ctx.get(AppConfig), BROADCAST_PHOTO_UPLOAD_MAX_AGE_MS: MAX_AGE_MS } as AppConfig;
    const sweeper = new BroadcastPhotoSweepHandler(new AbandonedBroadcastPhotos(ctx.get(PlatformDb)), runs, config);

    const oldA = await uploadedDraft(a, 'Old sale A');
    const oldB = await uploadedDraft(b, 'Old sale B');
    // A draft whose preview took its picture to Telegram holds a file_id and no bytes: nothing to drop.
    const previewed = await uploadedDraft(a, 'Previewed sale');
    expect(await runs.photoUploaded(a.id, previewed, 1, 'AgACAgIAAxkBAAI-file-id')).toBe(true);
    // Fresh: nothing is old enough yet.
    expect(await sweeper.sweep()).toEqual({ dropped: 0, ended: 0 });
    expect(await runs.photoUpload(a.id, oldA, 1)).not.toBeNull();

    await sleep(MAX_AGE_MS + 300);
    const fresh = await uploadedDraft(a, 'Fresh sale');
    expect(await sweeper.sweep()).toEqual({ dropped: 2, ended: 0 });
    expect(await sweeper.sweep()).toEqual({ dropped: 0, ended: 0 });

    for (const [bot, id] of [
      [a, oldA],
      [b, oldB],
    ] as const) {
      const left = (await service.get(bot.id, id)).broadcast;
      expect(left).toMatchObject({ status: 'draft', photo: null, photoUploadType: null, photoAwaited: true });
      expect(left.failure).toBe('the uploaded picture was removed after 2 seconds without a preview; upload it again');
      expect(await runs.photoUpload(bot.id, id, left.revision)).toBeNull();
      // It cannot start without a picture, and a new one makes it whole again.
      await expect(service.start(bot.id, id, Actors.tenantApi(bot.id))).rejects.toThrow(/waits for its picture/);
    }
    expect(await runs.photoUpload(a.id, fresh, 1)).toEqual({ data: PNG, contentType: 'image/png' });
    expect((await service.get(a.id, previewed)).broadcast).toMatchObject({
      photo: 'AgACAgIAAxkBAAI-file-id',
      failure: null,
    });
    const again = await service.uploadPhoto(
      a.id,
      oldA,
      { data: PNG, contentType: 'image/png' },
      Actors.tenantApi(a.id),
    );
    expect(again.broadcast).toMatchObject({ photoUploadType: 'image/png', photoAwaited: false, failure: null });
  });

  it('ends drafts that waited longer than the age for a picture that never came, and leaves the others', async () => {
    const runs = ctx.get(BroadcastRunsService);
    const service = ctx.get(BroadcastsService);
    const config = { ...ctx.get(AppConfig), BROADCAST_PHOTO_UPLOAD_MAX_AGE_MS: MAX_AGE_MS } as AppConfig;
    const sweeper = new BroadcastPhotoSweepHandler(new AbandonedBroadcastPhotos(ctx.get(PlatformDb)), runs, config);
    // Drafts of the test above are no part of this one.
    for (const bot of [a, b]) {
      for (const x of (await service.list(bot.id, 1, 100)).items) {
        if (x.status === 'draft') await service.cancel(bot.id, x.id, Actors.tenantApi(bot.id));
      }
    }
    const awaiting = async (bot: TestBot, text: string) =>
      (
        await service.create(
          bot.id,
          { text, audience: { segment: 'all' }, photoUploadFollows: true },
          Actors.tenantApi(bot.id),
        )
      ).broadcast.id;
    const oldA = await awaiting(a, 'Never came A');
    const oldB = await awaiting(b, 'Never came B');
    // Its picture came and its preview took it to Telegram: a file_id, nothing awaited.
    const pictured = await awaiting(a, 'Picture came');
    await service.uploadPhoto(a.id, pictured, { data: PNG, contentType: 'image/png' }, Actors.tenantApi(a.id));
    expect(await runs.photoUploaded(a.id, pictured, 1, 'AgACAgIAAxkBAAI-came')).toBe(true);
    expect(await sweeper.sweep()).toEqual({ dropped: 0, ended: 0 });

    await sleep(MAX_AGE_MS + 300);
    const fresh = await awaiting(a, 'Still coming');
    expect(await sweeper.sweep()).toEqual({ dropped: 0, ended: 2 });
    expect(await sweeper.sweep()).toEqual({ dropped: 0, ended: 0 });

    const reason = 'the picture never came: the draft waited 2 seconds for its upload';
    for (const [bot, id] of [
      [a, oldA],
      [b, oldB],
    ] as const) {
      const view = await service.get(bot.id, id);
      expect(view.broadcast).toMatchObject({ status: 'failed', failure: reason, photoAwaited: false });
      expect(view.broadcast.finishedAt).not.toBeNull();
      // It can neither start nor take a picture any more.
      await expect(service.start(bot.id, id, Actors.tenantApi(bot.id))).rejects.toThrow(/is failed, not a draft/);
      await expect(
        service.uploadPhoto(bot.id, id, { data: PNG, contentType: 'image/png' }, Actors.tenantApi(bot.id)),
      ).rejects.toThrow(/Only a draft/);
    }
    expect((await service.get(a.id, fresh)).broadcast).toMatchObject({
      status: 'draft',
      photoAwaited: true,
      failure: null,
    });
    expect((await service.get(a.id, pictured)).broadcast).toMatchObject({
      status: 'draft',
      photo: 'AgACAgIAAxkBAAI-came',
      photoAwaited: false,
      failure: null,
    });
    // Conditional: a draft not waiting, or not waiting that long, is never ended by the sweep's rule.
    expect(await runs.endPhotoNeverCame(a.id, pictured, MAX_AGE_MS)).toBe(false);
    expect(await runs.endPhotoNeverCame(a.id, fresh, MAX_AGE_MS)).toBe(false);
  });
});
