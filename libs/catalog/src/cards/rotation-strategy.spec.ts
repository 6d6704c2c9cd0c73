import {
  chooseCard,
  effectiveStrategy,
  isUsable,
  RotationCandidate,
  RotationState,
  successRate,
  weightedShares,
} from './rotation-strategy';

const card = (id: string, over: Partial<RotationCandidate> = {}): RotationCandidate => ({
  id,
  rotationStrategy: 'round_robin',
  rotationIntervalMinutes: 60,
  weight: 1,
  successCount: 0,
  failureCount: 0,
  dailyLimitMinor: null,
  usedTodayMinor: 0,
  ...over,
});

/** A seeded generator (mulberry32), so the distribution checks are reproducible. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const noState: RotationState = { currentCardId: null, switchedAt: null };
const now = new Date('2025-01-01T10:00:00Z');

describe('rotation strategies (pure)', () => {
  it('effectiveStrategy: the most common strategy; a tie goes to the oldest card', () => {
    expect(effectiveStrategy([])).toBe('round_robin');
    expect(
      effectiveStrategy([
        card('a', { rotationStrategy: 'random' }),
        card('b', { rotationStrategy: 'weighted' }),
        card('c', { rotationStrategy: 'weighted' }),
      ]),
    ).toBe('weighted');
    expect(
      effectiveStrategy([card('a', { rotationStrategy: 'time_based' }), card('b', { rotationStrategy: 'random' })]),
    ).toBe('time_based');
  });

  it('round_robin cycles in order and keeps its place when a card is over its limit', () => {
    const cards = [card('a'), card('b', { dailyLimitMinor: 100, usedTodayMinor: 90 }), card('c')];
    const seen: string[] = [];
    let state = noState;
    for (let i = 0; i < 4; i++) {
      const choice = chooseCard('round_robin', cards, 50, state, now, Math.random)!;
      seen.push(choice.card.id);
      state = { currentCardId: choice.card.id, switchedAt: null };
    }
    expect(seen).toEqual(['a', 'c', 'a', 'c']);
    expect(
      chooseCard('round_robin', cards, 5, { currentCardId: 'a', switchedAt: null }, now, Math.random)!.card.id,
    ).toBe('b');
  });

  it('time_based keeps the card for its interval, then moves on; switches at once when the card is unusable', () => {
    const cards = [card('a', { rotationIntervalMinutes: 30 }), card('b', { rotationIntervalMinutes: 30 })];
    const state: RotationState = { currentCardId: 'a', switchedAt: new Date(now.getTime() - 29 * 60_000) };
    expect(chooseCard('time_based', cards, 1, state, now, Math.random)).toMatchObject({
      card: { id: 'a' },
      switched: false,
    });
    const later = new Date(now.getTime() + 60_000);
    expect(chooseCard('time_based', cards, 1, state, later, Math.random)).toMatchObject({
      card: { id: 'b' },
      switched: true,
    });
    const full = [card('a', { dailyLimitMinor: 10, usedTodayMinor: 10 }), card('b')];
    expect(chooseCard('time_based', full, 1, state, now, Math.random)).toMatchObject({
      card: { id: 'b' },
      switched: true,
    });
  });

  it('random is uniform over usable cards (30,000 draws, each within 3 %)', () => {
    const cards = [card('a'), card('b'), card('c'), card('x', { dailyLimitMinor: 5, usedTodayMinor: 5 })];
    const rnd = seeded(42);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 30_000; i++) {
      const id = chooseCard('random', cards, 1, noState, now, rnd)!.card.id;
      counts[id] = (counts[id] ?? 0) + 1;
    }
    expect(counts.x).toBeUndefined();
    for (const id of ['a', 'b', 'c']) expect(Math.abs(counts[id] / 30_000 - 1 / 3)).toBeLessThan(0.03);
  });

  it('weighted follows weight × smoothed success rate (50,000 draws, each within 2 %)', () => {
    const cards = [
      card('a', { weight: 1 }), // 1 × 1/2
      card('b', { weight: 3 }), // 3 × 1/2
      card('c', { weight: 2, successCount: 8, failureCount: 0 }), // 2 × 9/10
    ];
    expect(successRate(cards[2])).toBeCloseTo(0.9);
    const shares = weightedShares(cards);
    const total = 0.5 + 1.5 + 1.8;
    expect(shares).toEqual([0.5 / total, 1.5 / total, 1.8 / total].map((v) => expect.closeTo(v, 10)));
    const rnd = seeded(7);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 50_000; i++) counts[chooseCard('weighted', cards, 1, noState, now, rnd)!.card.id]++;
    cards.forEach((c, i) => expect(Math.abs(counts[c.id] / 50_000 - shares[i])).toBeLessThan(0.02));
  });

  it('a card that failed every time still gets some traffic (smoothing)', () => {
    expect(successRate({ successCount: 0, failureCount: 98 })).toBeCloseTo(0.01);
  });

  it('daily limit: the amount must fit; amount 0 (preview) means "has any room left"', () => {
    expect(isUsable(card('a', { dailyLimitMinor: 100, usedTodayMinor: 60 }), 40)).toBe(true);
    expect(isUsable(card('a', { dailyLimitMinor: 100, usedTodayMinor: 60 }), 41)).toBe(false);
    expect(isUsable(card('a', { dailyLimitMinor: 100, usedTodayMinor: 100 }), 0)).toBe(false);
    expect(isUsable(card('a', { dailyLimitMinor: 100, usedTodayMinor: 99 }), 0)).toBe(true);
    expect(
      chooseCard('round_robin', [card('a', { dailyLimitMinor: 10 })], 11, noState, now, Math.random),
    ).toBeUndefined();
  });
});
