import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { BotStatsService } from '@botfleet/customers';
import { TestBot, TestContext, WorkerWorld } from '@botfleet/testing';
import { createApiApp } from '../bootstrap';

jest.setTimeout(120_000);

/** Everything but Date stays real (the database and Redis clients need their timers). */
const REAL = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

/**
 * The shop's days (configuration `time_zone`, Asia/Tehran unless set): REST stats and the bot's dashboard count
 * a sale on the calendar day of the shop's zone, and "this month" is a Solar Hijri month for a Persian shop.
 * Real API in process, PostgreSQL and Redis; sales paid through the product at a chosen moment of the clock.
 */
describe("stats by the shop's time zone (API in-process, real PostgreSQL/Redis)", () => {
  let world: WorkerWorld;
  let ctx: TestContext;
  let app: INestApplication;
  let dashboard: BotStatsService;
  const http = () => request(app.getHttpServer());
  const as = (bot: TestBot) => ({
    get: (path: string) => http().get(`/v1/bots/${bot.id}${path}`).set('Authorization', `Bearer ${bot.apiToken}`),
    put: (path: string, body: object) =>
      http().put(`/v1/bots/${bot.id}${path}`).set('Authorization', `Bearer ${bot.apiToken}`).send(body),
  });

  /** A sale paid from the customer's wallet when the clock reads `at`. */
  const saleAt = async (bot: TestBot, at: string) => {
    jest.useFakeTimers({ now: new Date(at), doNotFake: [...REAL] });
    try {
      const paid = await ctx.newPaidOrder(bot.id, { plan: { priceMinor: 1_000 } });
      expect(paid.order.paidAt?.toISOString()).toBe(new Date(at).toISOString());
    } finally {
      jest.useRealTimers();
    }
  };
  const byDay = async (bot: TestBot, from: string, to: string) => {
    const res = await as(bot).get(`/stats?from=${from}&to=${to}`).expect(200);
    return {
      timeZone: res.body.timeZone as string,
      days: (res.body.byDay as { date: string; sales: number }[]).map((d) => [d.date, d.sales]),
    };
  };

  beforeAll(async () => {
    world = await WorkerWorld.start({ jobs: 'detached', createWorker: createApiApp });
    ({ ctx } = world);
    app = world.worker;
    dashboard = app.get(BotStatsService, { strict: false });
  });
  afterAll(() => world?.close());

  it('a sale at 21:30 UTC (01:00 in Tehran) counts on the next day for a Tehran shop, on the UTC day for a UTC shop', async () => {
    const tehran = await ctx.newBot({ name: 'Tehran shop', walletMinor: 10_000_000 });
    const utc = await ctx.newBot({ name: 'UTC shop', walletMinor: 10_000_000 });
    await as(utc).put('/configurations/time_zone', { value: 'UTC' }).expect(200);
    for (const bot of [tehran, utc]) await saleAt(bot, '2026-03-09T21:30:00Z');

    // REST: from/to and byDay are the shop's days.
    expect(await byDay(tehran, '2026-03-09', '2026-03-10')).toEqual({
      timeZone: 'Asia/Tehran',
      days: [
        ['2026-03-09', 0],
        ['2026-03-10', 1],
      ],
    });
    expect(await byDay(utc, '2026-03-09', '2026-03-10')).toEqual({
      timeZone: 'UTC',
      days: [
        ['2026-03-09', 1],
        ['2026-03-10', 0],
      ],
    });

    // The bot's dashboard "today", the morning after in Tehran and in UTC.
    const morning = new Date('2026-03-10T08:00:00Z');
    expect((await dashboard.todayAndMonth(tehran.id, morning)).today).toMatchObject({
      from: '2026-03-10',
      totals: { sales: 1 },
    });
    expect((await dashboard.todayAndMonth(utc.id, morning)).today).toMatchObject({
      from: '2026-03-10',
      totals: { sales: 0 },
    });
    // 22:00 UTC: still 2026-03-09 for the UTC shop, already the 10th in Tehran.
    const evening = new Date('2026-03-09T22:00:00Z');
    expect((await dashboard.todayAndMonth(utc.id, evening)).today).toMatchObject({
      from: '2026-03-09',
      totals: { sales: 1 },
    });
    expect((await dashboard.todayAndMonth(tehran.id, evening)).today).toMatchObject({
      from: '2026-03-10',
      totals: { sales: 1 },
    });
  });

  it('"this month" is the Solar Hijri month for a fa shop, the Gregorian month otherwise', async () => {
    const fa = await ctx.newBot({ name: 'فروشگاه', defaultLanguage: 'fa', walletMinor: 10_000_000 });
    const en = await ctx.newBot({ name: 'Shop', defaultLanguage: 'en', walletMinor: 10_000_000 });
    // 29 Esfand 1404 and 2 Farvardin 1405 (Nowruz 1405 is 2026-03-21), both in Gregorian March.
    for (const bot of [fa, en]) {
      await saleAt(bot, '2026-03-20T08:00:00Z');
      await saleAt(bot, '2026-03-22T08:00:00Z');
    }
    const now = new Date('2026-03-25T08:00:00Z'); // 5 Farvardin 1405
    expect((await dashboard.todayAndMonth(fa.id, now)).month).toMatchObject({
      from: '2026-03-21',
      to: '2026-03-25',
      totals: { sales: 1 },
    });
    expect((await dashboard.todayAndMonth(en.id, now)).month).toMatchObject({
      from: '2026-03-01',
      to: '2026-03-25',
      totals: { sales: 2 },
    });
  });

  it('a zone neither Intl nor PostgreSQL knows is a 400 naming the value, and changes nothing', async () => {
    const bot = await ctx.newBot({ name: 'Zones' });
    await as(bot).put('/configurations/time_zone', { value: 'Europe/Moscow' }).expect(200);
    for (const value of ['Mars/Olympus', 'asia/tehran', 'UTC+3', '', 42]) {
      const res = await as(bot).put('/configurations/time_zone', { value });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain('"value"');
      if (value === 'Mars/Olympus') expect(JSON.stringify(res.body)).toContain('Mars/Olympus');
    }
    const list = await as(bot).get('/configurations').expect(200);
    expect((list.body as { key: string }[]).find((c) => c.key === 'time_zone')).toMatchObject({
      value: 'Europe/Moscow',
      isDefault: false,
    });
    expect((await byDay(bot, '2026-03-09', '2026-03-09')).timeZone).toBe('Europe/Moscow');
  });
});
