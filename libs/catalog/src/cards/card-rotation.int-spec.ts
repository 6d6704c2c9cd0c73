import { Test } from '@nestjs/testing';
import { ClsModule, ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { AuditService } from '@botfleet/audit';
import { AdminAccessService } from '@botfleet/bots';
import { Actors, DomainError, ErrorCode } from '@botfleet/common';
import {
  BotAdminsRepository,
  BotSelfRepository,
  CardRotationRepository,
  TenantDb,
  TenantRepositories,
} from '@botfleet/dal';
import { TestContext, TestDatabase } from '@botfleet/testing';
import { CardRotationService } from './card-rotation.service';
import { PaymentCardInput, PaymentCardsService } from './payment-cards.service';

const actor = Actors.system('test');
/** Luhn-valid test numbers (16 digits). */
const NUMBERS = ['6037990000000006', '4111111111111111', '5555555555554444', '6104337000000008', '6219861000000009'];

/** A seeded generator (mulberry32): the distribution checks below are reproducible, never flaky. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function tally(ids: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

describe('card rotation (real PostgreSQL)', () => {
  let ctx: TestContext;
  let db: TestDatabase;
  let platform: DataSource;
  let cards: PaymentCardsService;
  let rotation: CardRotationService;

  beforeAll(async () => {
    ctx = await TestContext.create();
    db = ctx.env.db;
    // Durability of each commit is not under test here; without the fsync per commit the
    // many-pick distribution checks run in a few seconds on a busy 2-core machine.
    const owner = await db.owner();
    await owner.query(`ALTER DATABASE "${db.name}" SET synchronous_commit = off`);
    platform = await db.platform();
    const mod = await Test.createTestingModule({ imports: [ClsModule.forRoot({ global: true })] }).compile();
    const tenantDb = new TenantDb(await db.app(), mod.get(ClsService));
    const repos = new TenantRepositories(tenantDb);
    const rotationRows = new CardRotationRepository(tenantDb);
    const botSelf = new BotSelfRepository(tenantDb);
    const access = new AdminAccessService(tenantDb, new BotAdminsRepository(tenantDb));
    cards = new PaymentCardsService(tenantDb, repos, rotationRows, botSelf, new AuditService(repos), access);
    rotation = new CardRotationService(tenantDb, repos, rotationRows, cards);
  });

  afterAll(async () => {
    await ctx?.close();
  });

  async function botWithCards(specs: Partial<PaymentCardInput>[]): Promise<{ botId: string; ids: string[] }> {
    const botId = (await ctx.newBot()).id;
    const ids: string[] = [];
    for (const [i, spec] of specs.entries()) {
      const card = await cards.create(botId, { cardNumber: NUMBERS[i], cardHolderName: `Holder ${i}`, ...spec }, actor);
      ids.push(card.id);
    }
    return { botId, ids };
  }

  async function picks(botId: string, n: number, amount = 1000, random?: () => number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push((await rotation.pickCard(botId, amount, { random })).card.id);
    return out;
  }

  it('round_robin: strictly in turn, and the counters and daily usage record every pick', async () => {
    const { botId, ids } = await botWithCards([{}, {}, {}]);
    const seen = await picks(botId, 90, 250);
    expect(seen.slice(0, 6)).toEqual([ids[0], ids[1], ids[2], ids[0], ids[1], ids[2]]);
    expect([...tally(seen).values()]).toEqual([30, 30, 30]);
    const rows = await platform.query(
      `SELECT c.id, c.current_usage_count, c.last_used_at, u.amount_minor::int AS amount, u.picks
         FROM tenant_payment_cards c JOIN card_daily_usage u ON u.card_id = c.id WHERE c.bot_id = $1`,
      [botId],
    );
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      expect(r).toMatchObject({ current_usage_count: 30, amount: 7500, picks: 30 });
      expect(r.last_used_at).toBeInstanceOf(Date);
    }
  });

  it('round_robin: 100 concurrent picks stay even (counts differ by at most 1)', async () => {
    const { botId, ids } = await botWithCards([{}, {}, {}]);
    const results = await Promise.all(Array.from({ length: 100 }, () => rotation.pickCard(botId, 100)));
    const counts = tally(results.map((r) => r.card.id));
    expect([...counts.keys()].sort()).toEqual([...ids].sort());
    const values = [...counts.values()];
    expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
    const [state] = await platform.query(`SELECT cursor::int AS cursor FROM card_rotation_state WHERE bot_id = $1`, [
      botId,
    ]);
    expect(state.cursor).toBe(100);
  });

  it('random: every usable card is drawn about equally (300 picks)', async () => {
    const { botId, ids } = await botWithCards([
      { rotationStrategy: 'random' },
      { rotationStrategy: 'random' },
      { rotationStrategy: 'random' },
    ]);
    const counts = tally(await picks(botId, 300, 1000, seeded(11)));
    // 100 expected each (standard deviation ≈ 8.2); the unit spec checks 30,000 draws.
    for (const id of ids) expect(Math.abs((counts.get(id) ?? 0) - 100)).toBeLessThan(25);
  });

  it('time_based: the same card for its interval, then the next one (injected clock)', async () => {
    const { botId, ids } = await botWithCards([
      { rotationStrategy: 'time_based', rotationIntervalMinutes: 10 },
      { rotationStrategy: 'time_based', rotationIntervalMinutes: 10 },
      { rotationStrategy: 'time_based', rotationIntervalMinutes: 10 },
    ]);
    const t0 = Date.parse('2025-06-01T08:00:00Z');
    const at = async (minutes: number) =>
      (await rotation.pickCard(botId, 100, { now: new Date(t0 + minutes * 60_000) })).card.id;
    expect([await at(0), await at(3), await at(9.9)]).toEqual([ids[0], ids[0], ids[0]]);
    expect([await at(10), await at(15), await at(19.9)]).toEqual([ids[1], ids[1], ids[1]]);
    expect(await at(20)).toBe(ids[2]);
    expect(await at(31)).toBe(ids[0]);
    // A preview in the middle of a period shows the current card; after it, the next.
    expect((await rotation.peekCard(botId, 0, { now: new Date(t0 + 35 * 60_000) })).card.id).toBe(ids[0]);
    expect((await rotation.peekCard(botId, 0, { now: new Date(t0 + 41 * 60_000) })).card.id).toBe(ids[1]);
  });

  it('weighted: shares follow weight × smoothed success rate (1,000 picks, within 5 points)', async () => {
    const { botId, ids } = await botWithCards([
      { rotationStrategy: 'weighted', weight: 1 },
      { rotationStrategy: 'weighted', weight: 3 },
      { rotationStrategy: 'weighted', weight: 2 },
    ]);
    for (let i = 0; i < 8; i++) await rotation.recordOutcome(botId, ids[2], true);
    await rotation.recordOutcome(botId, ids[1], false);
    await rotation.recordOutcome(botId, ids[1], true);
    // rates: 1/2, 2/4, 9/10 → raw 0.5, 1.5, 1.8
    const raw = [0.5, 1.5, 1.8];
    const total = raw.reduce((a, b) => a + b);
    // Standard deviation of a share ≈ 1.6 points; the unit spec checks 50,000 draws.
    const counts = tally(await picks(botId, 1000, 1000, seeded(5)));
    ids.forEach((id, i) => expect(Math.abs((counts.get(id) ?? 0) / 1000 - raw[i] / total)).toBeLessThan(0.05));
    const [row] = await platform.query(`SELECT success_count, failure_count FROM tenant_payment_cards WHERE id = $1`, [
      ids[1],
    ]);
    expect(row).toEqual({ success_count: 1, failure_count: 1 });
  });

  it('skips inactive, archived and over-limit cards; the limit counts the amount of this payment', async () => {
    const { botId, ids } = await botWithCards([{ isActive: false }, { dailyLimitMinor: 1000 }, {}, {}]);
    await cards.update(botId, ids[3], { isActive: false }, actor);
    const seen = await picks(botId, 4, 600);
    // Card 1 takes 600 of 1000; then 600 more would exceed its limit, so only card 2 is left.
    expect(seen).toEqual([ids[1], ids[2], ids[2], ids[2]]);
    expect((await rotation.pickCard(botId, 400)).card.id).toBe(ids[1]);
    expect((await rotation.peekCard(botId)).card.id).toBe(ids[2]);
  });

  it('the daily limit resets on the next day (midnight Tehran time)', async () => {
    const { botId, ids } = await botWithCards([{ dailyLimitMinor: 1000 }]);
    const lastMinute = new Date('2025-03-10T20:29:00Z'); // 23:59 in Tehran (UTC+03:30)
    const nextDay = new Date('2025-03-10T20:31:00Z'); // 00:01 the next day in Tehran
    expect((await rotation.pickCard(botId, 1000, { now: lastMinute })).card.id).toBe(ids[0]);
    await expect(rotation.pickCard(botId, 1, { now: lastMinute })).rejects.toMatchObject({
      code: ErrorCode.NO_PAYMENT_CARD,
    });
    const next = await rotation.pickCard(botId, 1000, { now: nextDay });
    expect(next.card).toMatchObject({ id: ids[0], usedTodayMinor: 1000 });
    const days = await platform.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, amount_minor::int AS amount FROM card_daily_usage
        WHERE bot_id = $1 ORDER BY day`,
      [botId],
    );
    expect(days).toEqual([
      { day: '2025-03-10', amount: 1000 },
      { day: '2025-03-11', amount: 1000 },
    ]);
  });

  it('releasing a rejected payment gives its amount back to that day of the card', async () => {
    const { botId, ids } = await botWithCards([{ dailyLimitMinor: 1000 }]);
    const day1 = new Date('2025-05-01T09:00:00Z');
    await rotation.pickCard(botId, 800, { now: day1 });
    await expect(rotation.pickCard(botId, 800, { now: day1 })).rejects.toMatchObject({
      code: ErrorCode.NO_PAYMENT_CARD,
    });
    await rotation.releaseAmount(botId, ids[0], 800, day1);
    expect((await rotation.pickCard(botId, 800, { now: day1 })).card.usedTodayMinor).toBe(800);
    // Another bot cannot release on this card; more than was used stops at zero.
    const other = (await ctx.newBot()).id;
    await rotation.releaseAmount(other, ids[0], 800, day1);
    expect((await rotation.peekCard(botId, 0, { now: day1 })).card.usedTodayMinor).toBe(800);
    await rotation.releaseAmount(botId, ids[0], 5000, day1);
    expect((await rotation.peekCard(botId, 0, { now: day1 })).card.usedTodayMinor).toBe(0);
  });

  it('no usable card → NO_PAYMENT_CARD, and the failed pick changes nothing', async () => {
    const empty = (await ctx.newBot()).id;
    await expect(rotation.pickCard(empty, 100)).rejects.toMatchObject({ code: ErrorCode.NO_PAYMENT_CARD });
    await expect(rotation.peekCard(empty)).rejects.toMatchObject({ code: ErrorCode.NO_PAYMENT_CARD });
    const { botId, ids } = await botWithCards([{ dailyLimitMinor: 500 }, { isActive: false }]);
    const err = await rotation.pickCard(botId, 501).catch((e: unknown) => e);
    expect(DomainError.is(err, ErrorCode.NO_PAYMENT_CARD)).toBe(true);
    const [card] = await platform.query(`SELECT current_usage_count FROM tenant_payment_cards WHERE id = $1`, [ids[0]]);
    expect(card.current_usage_count).toBe(0);
    expect(await platform.query(`SELECT * FROM card_daily_usage WHERE bot_id = $1`, [botId])).toHaveLength(0);
    await expect(rotation.pickCard(botId, 0)).rejects.toMatchObject({ code: ErrorCode.VALIDATION_FAILED });
  });

  it('peek does not consume a turn', async () => {
    const { botId, ids } = await botWithCards([{}, {}]);
    for (let i = 0; i < 5; i++) {
      const peek = await rotation.peekCard(botId, 100);
      expect(peek).toMatchObject({ strategy: 'round_robin', deterministic: true, card: { id: ids[0] } });
    }
    expect(await platform.query(`SELECT * FROM card_daily_usage WHERE bot_id = $1`, [botId])).toHaveLength(0);
    const [c] = await platform.query(`SELECT current_usage_count FROM tenant_payment_cards WHERE id = $1`, [ids[0]]);
    expect(c.current_usage_count).toBe(0);
    expect((await rotation.pickCard(botId, 100)).card.id).toBe(ids[0]);
    expect((await rotation.peekCard(botId, 100)).card.id).toBe(ids[1]);
  });

  it("cards disagree on the strategy: the most common one wins; one bot never sees another bot's cards", async () => {
    const { botId, ids } = await botWithCards([
      { rotationStrategy: 'time_based' },
      { rotationStrategy: 'round_robin' },
      { rotationStrategy: 'round_robin' },
    ]);
    const first = await rotation.pickCard(botId, 100);
    expect(first.strategy).toBe('round_robin');
    const other = await botWithCards([{}]);
    const seen = new Set(await picks(botId, 6));
    expect(seen).toEqual(new Set(ids));
    expect((await rotation.pickCard(other.botId, 100)).card.id).toBe(other.ids[0]);
    await expect(rotation.recordOutcome(other.botId, ids[0], true)).rejects.toMatchObject({
      code: ErrorCode.NOT_FOUND,
    });
  });
});
