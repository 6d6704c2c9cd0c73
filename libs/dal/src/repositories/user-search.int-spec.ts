import { TestContext } from '@botfleet/testing';
import { TenantRepositories } from '../tenant-repositories';
import { UserRepository } from './user.repository';

/** The tenant's customer search (GET /v1/bots/{id}/users): filters, paging, order and what each row carries. */
describe('UserRepository.search (real PostgreSQL)', () => {
  let ctx: TestContext;
  let users: UserRepository;
  let bot: string;
  let other: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    ctx = await TestContext.create();
    users = ctx.get(UserRepository);
    bot = (await ctx.newBot({ name: 'search' })).id;
    other = (await ctx.newBot({ name: 'other' })).id;
    const people = [
      { key: 'ali', telegramId: 5001, username: 'ali_vpn', firstName: 'Ali' },
      { key: 'sara', telegramId: 5002, username: 'sara', firstName: 'Sara' },
      { key: 'percent', telegramId: 5003, username: 'x_100', firstName: '100% sure' },
      { key: 'reza', telegramId: 123456789, username: undefined, firstName: 'Reza' },
    ];
    for (const p of people) {
      ids[p.key] = (
        await ctx.newUser(bot, { telegramId: p.telegramId, username: p.username, firstName: p.firstName })
      ).id;
    }
    await ctx.newUser(other, { telegramId: 5001, username: 'ali_other', firstName: 'Ali' });
    await ctx.deposit(bot, ids.sara, 12_345);
    await ctx.get(TenantRepositories).users.update(bot, { id: ids.reza }, { status: 'blocked' });
  });

  afterAll(async () => {
    await ctx?.close();
  });

  const search = (q: Partial<Parameters<UserRepository['search']>[1]>) =>
    users.search(bot, { page: 1, pageSize: 20, ...q });
  const keysOf = (items: { id: string }[]) =>
    items.map((u) => Object.keys(ids).find((k) => ids[k] === u.id) ?? `foreign:${u.id}`);

  it("lists only the bot's users, newest first, with the total", async () => {
    const page = await search({});
    expect(page.total).toBe(4);
    expect(keysOf(page.items)).toEqual(['reza', 'percent', 'sara', 'ali']);
  });

  it('pages: page 2 of size 3 holds the oldest, and the total stays', async () => {
    const page = await search({ page: 2, pageSize: 3 });
    expect(page).toMatchObject({ total: 4, page: 2, pageSize: 3 });
    expect(keysOf(page.items)).toEqual(['ali']);
    expect((await search({ page: 3, pageSize: 3 })).items).toEqual([]);
  });

  it('searches username, first name and referral code by substring, case-insensitively; @ is ignored', async () => {
    expect(keysOf((await search({ search: 'ALI' })).items)).toEqual(['ali']);
    expect(keysOf((await search({ search: '@sara' })).items)).toEqual(['sara']);
    expect(keysOf((await search({ search: 'rez' })).items)).toEqual(['reza']);
    const sara = await users.findByTelegramId(bot, 5002);
    expect(keysOf((await search({ search: sara!.referral_code })).items)).toEqual(['sara']);
  });

  it('a Telegram id matches exactly; LIKE wildcards in the search are taken literally', async () => {
    expect(keysOf((await search({ search: '123456789' })).items)).toEqual(['reza']);
    expect(keysOf((await search({ search: '100%' })).items)).toEqual(['percent']);
    expect((await search({ search: '%' })).total).toBe(1);
    expect((await search({ search: '_' })).total).toBe(2); // ali_vpn, x_100
  });

  it('filters by status, with the search too', async () => {
    expect(keysOf((await search({ status: 'blocked' })).items)).toEqual(['reza']);
    expect((await search({ status: 'active' })).total).toBe(3);
    expect((await search({ status: 'active', search: 'reza' })).total).toBe(0);
  });

  it('each row carries the whole user: numbers as numbers, times as dates', async () => {
    const [sara] = (await search({ search: 'sara' })).items;
    expect(sara).toMatchObject({
      id: ids.sara,
      botId: bot,
      telegramId: 5002,
      username: 'sara',
      firstName: 'Sara',
      lastName: null,
      status: 'active',
      balanceMinor: 12_345,
      botBlockedAt: null,
      trialUsedAt: null,
    });
    expect(sara.createdAt).toBeInstanceOf(Date);
    expect(sara.updatedAt).toBeInstanceOf(Date);
    expect(sara.lastSeenAt).toBeInstanceOf(Date);
    expect(typeof sara.referralCode).toBe('string');
  });
});
