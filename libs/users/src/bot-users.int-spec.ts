import { Test } from '@nestjs/testing';
import { ClsModule, ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { ProcessedUpdatesRepository, TenantDb, UserRepository } from '@botfleet/dal';
import { TestContext, TestDatabase } from '@botfleet/testing';
import { BotUsersService, TelegramUserInfo, TouchOptions } from './bot-users.service';

/**
 * The many-users touch (its statement sent with the update claim, as the update pipeline sends it) must leave
 * exactly what the same `touch` calls one by one would leave.
 */
describe('BotUsersService.touch and touchManyStatement (real PostgreSQL)', () => {
  let ctx: TestContext;
  let db: TestDatabase;
  let platform: DataSource;
  let users: BotUsersService;
  let processed: ProcessedUpdatesRepository;
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
    const tenantDb = new TenantDb(await db.app(), mod.get(ClsService));
    users = new BotUsersService(new UserRepository(tenantDb));
    processed = new ProcessedUpdatesRepository(tenantDb);
    botId = (await ctx.newBot()).id;
    otherBot = (await ctx.newBot()).id;
  });
  afterAll(() => ctx?.close());

  /** As the update pipeline does it: the statement travels with the claim of `updateIds` in the opening round trip. */
  let lastUpdateId = 0;
  const touchMany = async (
    bot: string,
    inputs: { from: TelegramUserInfo; opts: TouchOptions; updateId?: number }[],
  ) => {
    const sent = inputs.map((i) => ({ ...i, updateId: i.updateId ?? ++lastUpdateId }));
    const statement = users.touchManyStatement(bot, 7, sent);
    return processed.claimThen(
      bot,
      7,
      sent.map((i) => i.updateId),
      async (claimed, rows) => ({ claimed, users: statement.usersOf(rows) }),
      statement.sql,
    );
  };

  it('creates new users and refreshes known ones in one statement, like touch does one by one', async () => {
    const referrer = await users.touch(botId, person(100), { languageForNewUser: 'fa' });
    const known = await users.touch(botId, person(101), { languageForNewUser: 'ru' });
    await users.markBotBlocked(botId, 101);

    const { users: result } = await touchMany(botId, [
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
    const { users: result } = await touchMany(otherBot, [
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
      touchMany(botId, [
        { from: person(300), opts: { languageForNewUser: 'en' } },
        { from: person(300), opts: { languageForNewUser: 'en' } },
      ]),
    ).rejects.toThrow('once');
    expect(await row(botId, 300)).toBeUndefined();
    expect((await touchMany(botId, [])).users.size).toBe(0);
  });

  it('stores hostile names exactly as typed: quotes, backslashes and SQL in them are text, never SQL', async () => {
    const hostile = [
      "O'Brien",
      "back\\slash \\' and \\n",
      "'); DROP TABLE users; --",
      "$1 $$ $tag$ E'x'",
      '🚀 سلام Привет',
    ];
    const { users: result, claimed } = await touchMany(
      botId,
      hostile.map((name, i) => ({
        from: person(400 + i, { first_name: name, last_name: name, username: `n${i}'x` }),
        opts: { languageForNewUser: 'en' as const, startPayload: `ref_a'b${i}` },
      })),
    );
    expect(claimed.size).toBe(hostile.length);
    for (const [i, name] of hostile.entries()) {
      expect(result.get(400 + i)).toMatchObject({ created: true, firstName: name, lastName: name });
      expect(await row(botId, 400 + i)).toMatchObject({ first_name: name, username: `n${i}'x` });
    }
    expect(
      (await platform.query(`SELECT count(*)::int AS n FROM users WHERE bot_id = $1`, [botId]))[0].n,
    ).toBeGreaterThan(5);
  });

  it('writes nothing for a redelivered update: its sender stays as the first delivery left them', async () => {
    const first = await touchMany(botId, [{ from: person(500), opts: { languageForNewUser: 'en' }, updateId: 50_000 }]);
    expect(first.claimed).toEqual(new Set([50_000]));
    const before = await platform.query(
      `SELECT updated_at, last_seen_at FROM users WHERE bot_id = $1 AND telegram_id = 500`,
      [botId],
    );
    const again = await touchMany(botId, [
      { from: person(500, { first_name: 'Changed' }), opts: { languageForNewUser: 'en' }, updateId: 50_000 },
      { from: person(501), opts: { languageForNewUser: 'en' }, updateId: 50_001 },
    ]);
    expect(again.claimed).toEqual(new Set([50_001]));
    expect([...again.users.keys()]).toEqual([501]);
    expect(await row(botId, 500)).toMatchObject({ first_name: 'First 500' });
    expect(
      await platform.query(`SELECT updated_at, last_seen_at FROM users WHERE bot_id = $1 AND telegram_id = 500`, [
        botId,
      ]),
    ).toEqual(before);
  });
});
