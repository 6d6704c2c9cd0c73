import { Actors } from '@botfleet/common';
import { BroadcastsService } from '@botfleet/broadcasts';
import { TestBot, waitFor, WorkerWorld } from '@botfleet/testing';
import { createWorkerApp } from '../bootstrap';
import { PHOTO_NOT_KEPT } from './broadcast-sender.processor';

/** A 1×1 PNG, as a shop owner's picture would arrive from the console. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * A draft whose photo was uploaded (not a URL, not a file_id): its preview takes the bytes to Telegram as a file
 * upload, the file_id Telegram gives back becomes the draft's photo and the bytes are dropped; once started, the
 * customers get the photo by that file_id. Real PostgreSQL, Redis, worker and Telegram emulator.
 */
describe('broadcast with an uploaded photo (worker)', () => {
  jest.setTimeout(60_000);
  let world: WorkerWorld;
  let bot: TestBot;
  let customers: number[];

  beforeAll(async () => {
    world = await WorkerWorld.start();
    bot = await world.ctx.newBot();
    customers = [];
    for (let i = 0; i < 3; i++) customers.push((await world.ctx.newUser(bot.id)).telegramId);
    await world.startWorker(createWorkerApp);
  });
  afterAll(() => world?.close());

  /** A file's bytes as the Bot API serves them (getFile, then the file path). */
  async function download(fileId: string): Promise<Buffer> {
    const token = bot.telegram.token;
    const meta = (await (await fetch(`${world.telegram.url}/bot${token}/getFile?file_id=${fileId}`)).json()) as {
      result: { file_path: string };
    };
    const res = await fetch(`${world.telegram.url}/file/bot${token}/${meta.result.file_path}`);
    return Buffer.from(await res.arrayBuffer());
  }

  it('uploads the picture with the preview, keeps its file_id as the photo and sends that to the customers', async () => {
    const service = world.ctx.get(BroadcastsService);
    const actor = Actors.tenantApi(bot.id);
    const draft = await service.create(bot.id, { text: '<b>UPLOADED</b> sale', audience: { segment: 'all' } }, actor);
    const id = draft.broadcast.id;
    const uploaded = await service.uploadPhoto(bot.id, id, { data: PNG, contentType: 'image/png' }, actor);
    expect(uploaded.broadcast).toMatchObject({ photo: null, photoUploadType: 'image/png', revision: 1 });

    await waitFor(async () => !!(await service.get(bot.id, id)).broadcast.previewedAt, 20_000);
    const previewed = (await service.get(bot.id, id)).broadcast;
    const preview = world.telegram
      .getChatMessages(bot.telegram.id, bot.ownerTelegramId)
      .filter((m) => m.direction === 'bot' && m.method === 'sendPhoto');
    expect(preview).toHaveLength(1);
    expect(preview[0].caption).toBe('UPLOADED sale');
    expect(previewed.photo).toBe(preview[0].photoFileId);
    expect(previewed.photoUploadType).toBeNull();
    expect(await download(previewed.photo!)).toEqual(PNG);

    await service.start(bot.id, id, actor);
    await waitFor(async () => (await service.get(bot.id, id)).broadcast.status === 'completed', 20_000);
    for (const chatId of customers) {
      const got = world.telegram
        .getChatMessages(bot.telegram.id, chatId)
        .filter((m) => m.direction === 'bot' && m.method === 'sendPhoto');
      expect(got).toHaveLength(1);
      expect(got[0].caption).toBe('UPLOADED sale');
      // Sent by file_id: the very picture the preview uploaded.
      expect(got[0].photo?.at(-1)?.file_unique_id).toBe(preview[0].photo?.at(-1)?.file_unique_id);
    }
  });

  it('a sendPhoto answer without a photo fails the preview with the reason, and the draft does not start', async () => {
    const service = world.ctx.get(BroadcastsService);
    const actor = Actors.tenantApi(bot.id);
    world.telegram.setFaults(bot.telegram.id, { photoAsDocument: { count: 1 } });
    const draft = await service.create(
      bot.id,
      { text: 'KEPT AS FILE', audience: { segment: 'all' }, photoUploadFollows: true },
      actor,
    );
    const id = draft.broadcast.id;
    await service.uploadPhoto(bot.id, id, { data: PNG, contentType: 'image/png' }, actor);

    await waitFor(async () => !!(await service.get(bot.id, id)).broadcast.failure, 20_000);
    const failed = (await service.get(bot.id, id)).broadcast;
    expect(failed.failure).toBe(`preview: ${PHOTO_NOT_KEPT}`);
    expect(failed).toMatchObject({ previewedAt: null, photo: null, status: 'draft' });
    await expect(service.start(bot.id, id, actor)).rejects.toThrow(/did not keep the uploaded picture as a photo/);
  });

  it('a bot that cannot speak fails the preview with the reason instead of leaving the draft waiting', async () => {
    const muted = await world.ctx.newBot({ status: 'suspended' });
    const service = world.ctx.get(BroadcastsService);
    const draft = await service.create(
      muted.id,
      { text: 'NOBODY HEARS', audience: { segment: 'all' } },
      Actors.master(),
    );
    const id = draft.broadcast.id;
    await waitFor(async () => !!(await service.get(muted.id, id)).broadcast.failure, 20_000);
    expect((await service.get(muted.id, id)).broadcast).toMatchObject({
      failure: 'preview: the bot is suspended',
      previewedAt: null,
      status: 'draft',
    });
  });
});
