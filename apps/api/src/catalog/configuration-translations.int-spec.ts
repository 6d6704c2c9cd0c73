import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ConsoleLinksService } from '@botfleet/bots';
import { ConfigurationsService } from '@botfleet/catalog';
import { Actors, ErrorCode } from '@botfleet/common';
import { sessionCookie, TestBot, TestContext, WorkerWorld } from '@botfleet/testing';
import { createApiApp } from '../bootstrap';

jest.setTimeout(120_000);

const ADMIN = 882_100_001;
const SUPPORT = 882_100_002;

/**
 * One language of a shop text saved from the console (PUT/DELETE …/configurations/:key/translations/:lang) while
 * the bot's admin flow saves another language of it (ConfigurationsService.setTranslation, as the Telegram handler
 * calls it): neither undoes the other, whether at the same moment or from a page opened before the bot's edit.
 * Real API in process, PostgreSQL and Redis; the console is a signed-in session of the shop's admins.
 */
describe('configurations: one language of a shop text (API in-process, real PostgreSQL/Redis)', () => {
  let ctx: TestContext;
  let app: INestApplication;
  let world: WorkerWorld;
  let configurations: ConfigurationsService;
  let ip = 0;
  const http = () => request(app.getHttpServer());

  /** A console session of one of the bot's admins. */
  const signIn = async (bot: TestBot, telegramId: number) => {
    const { code } = await app.get(ConsoleLinksService, { strict: false }).issueForAdmin(bot.id, telegramId);
    const res = await http()
      .post('/v1/sessions')
      .set('X-Forwarded-For', `10.89.${Math.floor(++ip / 250)}.${ip % 250}`)
      .send({ code });
    expect(res.status).toBe(201);
    const cookie = sessionCookie(res);
    const csrf = res.body.csrfToken as string;
    const write = (method: 'put' | 'delete', path: string) =>
      http()[method](`/v1/bots/${bot.id}/configurations/${path}`).set('Cookie', cookie).set('X-CSRF-Token', csrf);
    return {
      put: (path: string, body: unknown) => write('put', path).send(body as object),
      delete: (path: string) => write('delete', path),
      configurations: () =>
        http().get(`/v1/bots/${bot.id}/configurations`).set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(200),
    };
  };

  /** A shop with an admin and a support agent besides its owner, and its owner's console session. */
  const newShop = async () => {
    const bot = await ctx.newBot({ name: 'Texts shop' });
    await http()
      .put(`/v1/bots/${bot.id}/admins`)
      .set('Authorization', `Bearer ${bot.apiToken}`)
      .send({
        admins: [
          { telegramId: ADMIN, role: 'admin' },
          { telegramId: SUPPORT, role: 'support' },
        ],
      })
      .expect(200);
    return { bot, console: await signIn(bot, bot.ownerTelegramId) };
  };
  /** What the bot's admin flow does when an admin saves a text in one language. */
  const botSaves = (bot: TestBot, key: 'welcome_text' | 'support_text', lang: 'fa' | 'en' | 'ru', value: string) =>
    configurations.setTranslation(bot.id, key, lang, value, Actors.botAdmin(bot.ownerTelegramId));
  const stored = (bot: TestBot, key: 'welcome_text' | 'support_text') => configurations.get(bot.id, key);

  beforeAll(async () => {
    world = await WorkerWorld.start({ jobs: 'detached', createWorker: createApiApp });
    ({ ctx } = world);
    app = world.worker;
    configurations = ctx.get(ConfigurationsService);
  });

  afterAll(() => world?.close());

  it("the bot's fa and the console's en saved at the same moment both stay", async () => {
    const { bot, console } = await newShop();
    for (let round = 0; round < 8; round++) {
      const key = round % 2 ? 'support_text' : 'welcome_text';
      const [, res] = await Promise.all([
        botSaves(bot, key, 'fa', `سلام ${round}`),
        console.put(`${key}/translations/en`, { value: `Hello ${round}` }),
      ]);
      expect(res.status).toBe(200);
      expect(await stored(bot, key)).toEqual({ fa: `سلام ${round}`, en: `Hello ${round}` });
    }
  });

  it("a console page opened before the bot's edit saves its language and keeps the bot's", async () => {
    const { bot, console } = await newShop();
    await console.put('welcome_text/translations/fa', { value: 'خوش آمدید' }).expect(200);
    // The page is opened: it has the old fa.
    const page = (await console.configurations()).body as { key: string; value: unknown }[];
    expect(page.find((c) => c.key === 'welcome_text')!.value).toEqual({ fa: 'خوش آمدید' });

    await botSaves(bot, 'welcome_text', 'fa', 'به فروشگاه تازه ما خوش آمدید');
    const res = await console.put('welcome_text/translations/en', { value: 'Welcome!' }).expect(200);
    const both = { fa: 'به فروشگاه تازه ما خوش آمدید', en: 'Welcome!' };
    expect(res.body).toMatchObject({ key: 'welcome_text', value: both, isDefault: false });
    expect(await stored(bot, 'welcome_text')).toEqual(both);

    // Removing the console's language leaves the bot's.
    const removed = await console.delete('welcome_text/translations/en').expect(200);
    expect(removed.body.value).toEqual({ fa: both.fa });
    expect(await stored(bot, 'welcome_text')).toEqual({ fa: both.fa });
  });

  it('the whole value and one language saved at the same moment go one after the other (never a mix)', async () => {
    const { bot, console } = await newShop();
    for (let round = 0; round < 20; round++) {
      await console.put('welcome_text', { value: { en: `old ${round}` } }).expect(200);
      const whole = { en: `whole ${round}`, ru: `весь ${round}` };
      // The whole value as the PUT …/configurations/welcome_text handler saves it, in process for real overlap.
      await Promise.all([
        botSaves(bot, 'welcome_text', 'fa', `فارسی ${round}`),
        configurations.set(bot.id, 'welcome_text', whole, undefined, Actors.botAdmin(bot.ownerTelegramId)),
      ]);
      // Either the bot's save came first (the whole value replaced it) or second (added to the whole value);
      // the bot's save never brings back the text the whole value replaced.
      expect([whole, { ...whole, fa: `فارسی ${round}` }]).toContainEqual(await stored(bot, 'welcome_text'));
    }
  });

  it('a reset and one language saved at the same moment go one after the other (the reset text never returns)', async () => {
    const { bot, console } = await newShop();
    for (let round = 0; round < 20; round++) {
      await console.put('welcome_text', { value: { en: `old ${round}` } }).expect(200);
      await Promise.all([
        botSaves(bot, 'welcome_text', 'fa', `فارسی ${round}`),
        configurations.reset(bot.id, 'welcome_text', Actors.botAdmin(bot.ownerTelegramId)),
      ]);
      // The bot's save after the reset, or the reset after it; never the old English brought back.
      expect([{}, { fa: `فارسی ${round}` }]).toContainEqual(await stored(bot, 'welcome_text'));
    }
  });

  it('a bad key, language or text is refused with the field named, and changes nothing', async () => {
    const { bot, console } = await newShop();
    await console.put('welcome_text/translations/en', { value: 'Kept' }).expect(200);
    await console.put('support_text/translations/fa', { value: 'پشتیبانی' }).expect(200);
    const before = (await console.configurations()).body;
    const refused = async (call: request.Test, status: number, field?: string) => {
      const res = await call;
      expect({ status: res.status, field: res.body.error?.details?.[0]?.field }).toEqual({ status, field });
    };

    await refused(console.put('receipt_ttl_minutes/translations/en', { value: '45' }), 400, 'key');
    await refused(console.put('main_menu_buttons/translations/en', { value: 'x' }), 400, 'key');
    await refused(console.put('no_such_key/translations/en', { value: 'x' }), 404);
    await refused(console.put('welcome_text/translations/de', { value: 'Hallo' }), 400, 'lang');
    await refused(console.put('welcome_text/translations/EN', { value: 'Hello' }), 400, 'lang');
    await refused(console.put('welcome_text/translations/en', { value: 'x'.repeat(3001) }), 400, 'value');
    await refused(console.put('support_text/translations/en', { value: 'x'.repeat(1001) }), 400, 'value');
    await refused(console.put('welcome_text/translations/en', { value: '   ' }), 400, 'value');
    await refused(console.put('welcome_text/translations/en', { value: '' }), 400, 'value');
    await refused(console.put('welcome_text/translations/en', { value: 5 }), 400, 'value');
    await refused(console.put('welcome_text/translations/en', { value: null }), 400, 'value');
    await refused(console.put('welcome_text/translations/en', {}), 400, 'value');
    await refused(console.delete('welcome_text/translations/de'), 400, 'lang');
    await refused(console.delete('languages/translations/en'), 400, 'key');
    await expect(configurations.setTranslation(bot.id, 'welcome_text', 'xx', 'Hi')).rejects.toMatchObject({
      code: ErrorCode.VALIDATION_FAILED,
    });

    expect((await console.configurations()).body).toEqual(before);
    expect(await stored(bot, 'welcome_text')).toEqual({ en: 'Kept' });
  });

  it('the console save is audited with who made it; a support agent is refused and changes nothing', async () => {
    const { bot, console } = await newShop();
    await console.put('welcome_text/translations/en', { value: 'By the owner' }).expect(200);
    const log = await http()
      .get(`/v1/bots/${bot.id}/audit-log?pageSize=5`)
      .set('Authorization', `Bearer ${bot.apiToken}`)
      .expect(200);
    expect(log.body.items[0]).toMatchObject({
      actorType: 'bot_admin',
      actorId: String(bot.ownerTelegramId),
      action: 'configuration.set',
      targetId: 'welcome_text',
      before: { value: {} },
      after: { value: { en: 'By the owner' } },
    });

    // An admin has the `texts` permission; a support agent has not, in the console or in the domain.
    const admin = await signIn(bot, ADMIN);
    await admin.put('welcome_text/translations/fa', { value: 'از طرف مدیر' }).expect(200);
    const agent = await signIn(bot, SUPPORT);
    const put = await agent.put('welcome_text/translations/en', { value: 'By the agent' });
    expect({ status: put.status, code: put.body.error?.code }).toEqual({ status: 403, code: ErrorCode.FORBIDDEN });
    const del = await agent.delete('welcome_text/translations/fa');
    expect({ status: del.status, code: del.body.error?.code }).toEqual({ status: 403, code: ErrorCode.FORBIDDEN });
    await expect(
      configurations.setTranslation(bot.id, 'welcome_text', 'en', 'By the agent', Actors.botAdmin(SUPPORT)),
    ).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    expect(await stored(bot, 'welcome_text')).toEqual({ en: 'By the owner', fa: 'از طرف مدیر' });
  });
});
