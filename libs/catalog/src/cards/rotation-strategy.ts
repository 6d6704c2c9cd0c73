/**
 * The pure part of card rotation: given the bot's active cards (in a stable order), today's
 * usage and the rotation state, which card does the next buyer get? No I/O here, so every
 * strategy can be checked over many draws in a unit test; `CardRotationService` adds the
 * locking and the bookkeeping.
 */
export const ROTATION_STRATEGIES = ['round_robin', 'random', 'time_based', 'weighted'] as const;
export type RotationStrategy = (typeof ROTATION_STRATEGIES)[number];

export interface RotationCandidate {
  id: string;
  rotationStrategy: RotationStrategy;
  rotationIntervalMinutes: number;
  weight: number;
  successCount: number;
  failureCount: number;
  /** null = no daily limit. */
  dailyLimitMinor: number | null;
  /** Amount already handed out on this card today (card_daily_usage). */
  usedTodayMinor: number;
}

export interface RotationState {
  /** The card picked last (round_robin) or the card currently shown (time_based). */
  currentCardId: string | null;
  /** When time_based switched to `currentCardId`. */
  switchedAt: Date | null;
}

export interface RotationChoice {
  card: RotationCandidate;
  /** time_based: a new period starts now (the state's switchedAt moves to `now`). */
  switched: boolean;
}

/**
 * The bot-level strategy. Strategies are stored per card (seed 003), so cards may disagree:
 * the strategy held by most active cards wins; on a tie, the strategy of the earliest card in
 * `cards` (oldest first) among the tied ones.
 */
export function effectiveStrategy(cards: readonly Pick<RotationCandidate, 'rotationStrategy'>[]): RotationStrategy {
  const counts = new Map<RotationStrategy, number>();
  for (const c of cards) counts.set(c.rotationStrategy, (counts.get(c.rotationStrategy) ?? 0) + 1);
  let best: RotationStrategy = 'round_robin';
  let bestCount = 0;
  for (const c of cards) {
    const n = counts.get(c.rotationStrategy)!;
    if (n > bestCount) {
      best = c.rotationStrategy;
      bestCount = n;
    }
  }
  return best;
}

/**
 * Whether a card can take a payment of `amountMinor` today. With amount 0 (a preview without an
 * amount) a card is usable while it still has room for anything at all.
 */
export function isUsable(card: RotationCandidate, amountMinor: number): boolean {
  if (card.dailyLimitMinor === null) return true;
  return card.usedTodayMinor + Math.max(amountMinor, 1) <= card.dailyLimitMinor;
}

/** Laplace-smoothed approval rate: a new card starts at 1/2, so it still gets traffic. */
export function successRate(card: Pick<RotationCandidate, 'successCount' | 'failureCount'>): number {
  return (card.successCount + 1) / (card.successCount + card.failureCount + 2);
}

/** Each usable card's chance under `weighted`: weight × success rate, normalised. */
export function weightedShares(usable: readonly RotationCandidate[]): number[] {
  const raw = usable.map((c) => Math.max(c.weight, 0) * successRate(c));
  const total = raw.reduce((a, b) => a + b, 0);
  return total > 0 ? raw.map((w) => w / total) : usable.map(() => 1 / usable.length);
}

/** The first usable card after `afterId` in `ordered`, wrapping around; from the start when `afterId` is unknown. */
function nextAfter(
  ordered: readonly RotationCandidate[],
  usable: ReadonlySet<string>,
  afterId: string | null,
): RotationCandidate | undefined {
  const start = afterId === null ? -1 : ordered.findIndex((c) => c.id === afterId);
  for (let step = 1; step <= ordered.length; step++) {
    const card = ordered[(start + step + ordered.length) % ordered.length];
    if (usable.has(card.id)) return card;
  }
  return undefined;
}

/**
 * Chooses the card for a payment of `amountMinor`. `ordered` holds every active, undeleted card
 * of the bot oldest first (also the unusable ones, so round-robin keeps its place in the cycle).
 * Returns undefined when no card can take the payment.
 */
export function chooseCard(
  strategy: RotationStrategy,
  ordered: readonly RotationCandidate[],
  amountMinor: number,
  state: RotationState,
  now: Date,
  random: () => number,
): RotationChoice | undefined {
  const usableCards = ordered.filter((c) => isUsable(c, amountMinor));
  if (usableCards.length === 0) return undefined;
  const usable = new Set(usableCards.map((c) => c.id));
  switch (strategy) {
    case 'round_robin': {
      const card = nextAfter(ordered, usable, state.currentCardId)!;
      return { card, switched: false };
    }
    case 'time_based': {
      const current = usableCards.find((c) => c.id === state.currentCardId);
      if (current && state.switchedAt) {
        const until = state.switchedAt.getTime() + current.rotationIntervalMinutes * 60_000;
        if (now.getTime() < until) return { card: current, switched: false };
      }
      return { card: nextAfter(ordered, usable, state.currentCardId)!, switched: true };
    }
    case 'random': {
      const i = Math.min(Math.floor(random() * usableCards.length), usableCards.length - 1);
      return { card: usableCards[i], switched: false };
    }
    case 'weighted': {
      const shares = weightedShares(usableCards);
      let r = random();
      for (let i = 0; i < usableCards.length; i++) {
        r -= shares[i];
        if (r < 0) return { card: usableCards[i], switched: false };
      }
      return { card: usableCards[usableCards.length - 1], switched: false };
    }
  }
}
