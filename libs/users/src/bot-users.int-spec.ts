import { Test } from '@nestjs/testing';
import { ClsModule, ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { TenantDb, UserRepository } from '@botfleet/dal';
import { TestContext, TestDatabase } from '@botfleet/testing';
import { BotUsersService, TelegramUserInfo } from './bot-users.service';

/** `touchMany` must leave exactly what the same `touch` calls one by one would leave. */
describe('BotUsersService.touch and touchMany (real PostgreSQL)', () => {
  let ctx: TestContext;
  let db: TestDatabase;
  let platform: DataSource;
  let users: BotUsersService;
  let botId: string;
  let otherBot: string;

  const person = (id: number, over: Partial<TelegramUserInfo> = {}): TelegramUserInfo => ({
    id,
    username: `u${id}`,
    first_name: `First ${id}`,
    last_name: `Last ${id}`,
    language_code: 'en',
    ...over,
  });
  const row = async (bot: string, tg: number) =>
    (
      await platform.query(
        `SELECT username, first_name, language, referral_code, referrer_id, referred_via, bot_blocked_at, status
           FROM users WHERE bot_id = $1 AND telegram_id = $2`,
        [bot, tg],
      )
    )[0];

  beforeAll(async () => {
    ctx = await TestContext.create();
    db = ctx.env.db;
    platform = await db.platform();
    const mod = await Test.createTestingModule({ imports: [ClsModule.forRoot({ global: true })] }).compile();
    users = new BotUsersService(new UserRepository(new TenantDb(await db.app(), mod.get(ClsService))));
    botId = (await ctx.newBot()).id;
    otherBot = (await ctx.newBot()).id;
  });
  afterAll(() => ctx?.close());

  it('creates new users and refreshes known ones in one statement, like touch does one by one', async () => {
    const referrer = await users.touch(botId, person(100), { languageForNewUser: 'fa' });
    const known = await users.touch(botId, person(101), { languageForNewUser: 'ru' });
    await users.markBotBlocked(botId, 101);

    const result = await users.touchMany(botId, [
      {
        from: person(101, { first_name: 'Renamed' }),
        opts: { languageForNewUser: 'en', startPayload: 'ref_whatever' },
      },
      { from: person(102), opts: { languageForNewUser: 'en', startPayload: `ref_${referrer.referralCode}` } },
      { from: person(103, { username: undefined }), opts: { languageForNewUser: 'ru' } },
      // Their own code: no self-referral.
      { from: person(100), opts: { languageForNewUser: 'en', startPayload: `ref_${referrer.referralCode}` } },
    ]);

    expect([...result.keys()].sort()).toEqual([100, 101, 102, 103]);
    expect(result.get(101)).toMatchObject({ id: known.id, created: false, firstName: 'Renamed', language: 'ru' });
    expect(result.get(102)).toMatchObject({ created: true, language: 'en', referrerId: referrer.id });
    expect(result.get(103)).toMatchObject({ created: true, language: 'ru', username: null, referrerId: null });
    expect(result.get(100)).toMatchObject({ id: referrer.id, created: false, referrerId: null, language: 'fa' });

    // Known user: names refreshed, blocked mark cleared, language and referral untouched.
    expect(await row(botId, 101)).toMatchObject({
      first_name: 'Renamed',
      language: 'ru',
      referrer_id: null,
      referred_via: null,
      bot_blocked_at: null,
    });
    expect(await row(botId, 102)).toMatchObject({
      referrer_id: referrer.id,
      referred_via: `ref_${referrer.referralCode}`,
    });
    const codes = [...result.values()].map((u) => u.referralCode);
    expect(new Set(codes).size).toBe(4);
    expect(codes.every((c) => /^[a-z2-9]{10}$/.test(c))).toBe(true);
  });

  it("stays inside its bot: another bot's user with the same Telegram id and referral code is not touched", async () => {
    const mine = await users.touch(botId, person(200), { languageForNewUser: 'en' });
    const theirs = await users.touch(otherBot, person(201), { languageForNewUser: 'en' });
    const result = await users.touchMany(otherBot, [
      {
        from: person(200, { first_name: 'Other bot' }),
        opts: { languageForNewUser: 'fa', startPayload: `ref_${mine.referralCode}` },
      },
      { from: person(202), opts: { languageForNewUser: 'fa', startPayload: `ref_${theirs.referralCode}` } },
    ]);
    expect(result.get(200)).toMatchObject({ created: true, referrerId: null, botId: otherBot });
    expect(result.get(202)).toMatchObject({ created: true, referrerId: theirs.id });
    expect(await row(botId, 200)).toMatchObject({ first_name: 'First 200' });
  });

  it('takes each Telegram user once, and nothing is a no-op', async () => {
    await expect(
      users.touchMany(botId, [
        { from: person(300), opts: { languageForNewUser: 'en' } },
        { from: person(300), opts: { languageForNewUser: 'en' } },
      ]),
    ).rejects.toThrow('once');
    expect(await row(botId, 300)).toBeUndefined();
    expect((await users.touchMany(botId, [])).size).toBe(0);
  });
});
