import { ClsModule, ClsService } from 'nestjs-cls';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { TestContext } from '@botfleet/testing';
import { TenantDb } from '../tenant-context';
import { ProcessedUpdatesRepository } from './processed-updates.repository';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The update fence with the claim sent in the transaction's first round trip (`claimThen`). */
describe('ProcessedUpdatesRepository.claimThen (real PostgreSQL)', () => {
  let ctx: TestContext;
  let app: DataSource;
  let db: TenantDb;
  let repo: ProcessedUpdatesRepository;
  let botA: string;
  let botB: string;

  beforeAll(async () => {
    ctx = await TestContext.create();
    app = await ctx.env.db.app();
    const mod = await Test.createTestingModule({ imports: [ClsModule.forRoot({ global: true })] }).compile();
    db = new TenantDb(app, mod.get(ClsService));
    repo = new ProcessedUpdatesRepository(db);
    botA = (await ctx.newBot({ name: 'A' })).id;
    botB = (await ctx.newBot({ name: 'B' })).id;
  });

  afterAll(async () => {
    await ctx?.close();
  });

  const claimedIds = (botId: string, ids: number[], speaker = 7001) =>
    repo.claimThen(botId, speaker, ids, async (claimed) => [...claimed].sort((a, b) => a - b));

  it('claims in the same round trip as BEGIN: BEGIN+claim, COMMIT', async () => {
    // Every statement sent to PostgreSQL meanwhile (the driver's query, which TypeORM and TenantDb both use).
    const statements: string[] = [];
    const proto = Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
    const query = proto.query;
    proto.query = function (this: unknown, ...a: unknown[]) {
      const text = typeof a[0] === 'string' ? a[0] : (a[0] as { text?: string } | undefined)?.text;
      if (text) statements.push(text);
      return query.apply(this, a);
    };
    try {
      expect(await claimedIds(botA, [1, 2, 3])).toEqual([1, 2, 3]);
    } finally {
      proto.query = query;
    }
    const mine = statements.filter((s) => !/^SELECT 1$/.test(s));
    expect(mine).toHaveLength(2);
    expect(mine[0]).toMatch(
      /^START TRANSACTION; SELECT set_config\('app\.bot_id', '[0-9a-f-]{36}', true\); INSERT INTO processed_updates/,
    );
    expect(mine[1]).toBe('COMMIT');
  });

  it('returns only the ids not claimed before (a redelivery is a duplicate)', async () => {
    expect(await claimedIds(botA, [3, 4, 5])).toEqual([4, 5]);
    expect(await claimedIds(botA, [4, 5])).toEqual([]);
  });

  it('is per bot and per Telegram bot: the same ids of another bot or another Telegram bot are new', async () => {
    expect(await claimedIds(botB, [1, 2])).toEqual([1, 2]);
    expect(await claimedIds(botA, [1, 2], 7002)).toEqual([1, 2]);
  });

  it('a claim whose work fails is rolled back: the update can be handled again', async () => {
    await expect(
      repo.claimThen(botA, 7001, [10], async () => {
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await claimedIds(botA, [10])).toEqual([10]);
  });

  it('two deliveries at once: the second waits for the first to commit and gets nothing', async () => {
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((r) => (releaseFirst = r));
    const first = repo.claimThen(botA, 7001, [20], async (claimed) => {
      await firstHolds;
      return [...claimed];
    });
    await sleep(100);
    let secondDone = false;
    const second = repo.claimThen(botA, 7001, [20], async (claimed) => [...claimed]).finally(() => (secondDone = true));
    await sleep(300);
    expect(secondDone).toBe(false); // blocked on the first's row
    releaseFirst();
    expect(await first).toEqual([20]);
    expect(await second).toEqual([]);
  });

  it('inside an open transaction of the same bot it claims in that transaction', async () => {
    const got = await db.run(botA, async () => claimedIds(botA, [30, 31]));
    expect(got).toEqual([30, 31]);
    expect(await claimedIds(botA, [30])).toEqual([]);
  });

  it('refuses what it cannot inline: a bad bot id or non-integer ids, with nothing written', async () => {
    await expect(claimedIds('not-a-uuid', [1])).rejects.toThrow(/valid bot id/);
    await expect(claimedIds(botA, [1.5])).rejects.toThrow(/integer/);
    await expect(claimedIds(botA, [-1])).rejects.toThrow(/integer/);
    await expect(repo.claimThen(botA, Number.NaN, [40], async () => 0)).rejects.toThrow(/integer/);
    expect(await claimedIds(botA, [40])).toEqual([40]);
  });

  it('row-level security still applies: a claim is written under the bot of the transaction only', async () => {
    const seen: { bot_id: string }[] = await db.run(botB, (tx) =>
      tx.manager.query(`SELECT bot_id FROM processed_updates`),
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => r.bot_id === botB)).toBe(true);
  });
});
