import {
  awaitsReview,
  canPayOrder,
  canSell,
  EXPIRING_CARD_PAYMENT_STATUSES,
  isRenewable,
  paymentMethodsFor,
  RECEIPT_ACCEPTING_STATUSES,
  REVIEW_REMINDERS,
  TRACKING_NUMBER_PATTERN,
} from './sale-rules';
import { cardTrackingNumber } from './tracking-number';

describe('the sale rules', () => {
  it('a shop sells when some way to pay is on', () => {
    expect(canSell(new Set(['card_to_card']))).toBe(true);
    expect(canSell(new Set(['wallet']))).toBe(true);
    expect(canSell(new Set(['referrals']))).toBe(false);
  });

  it('only subscriptions that have worked can be renewed', () => {
    expect(['active', 'expired', 'disabled'].every((status) => isRenewable({ status } as never))).toBe(true);
    expect(isRenewable({ status: 'pending' })).toBe(false);
    expect(isRenewable({ status: 'failed' })).toBe(false);
  });

  it('a receipt is taken until one is under review; a review only while one is', () => {
    expect([...RECEIPT_ACCEPTING_STATUSES].sort()).toEqual(['awaiting_receipt', 'rejected']);
    expect(awaitsReview({ status: 'pending' })).toBe(true);
    expect(awaitsReview({ status: 'rejected' })).toBe(false);
  });

  it('an order is made only when some method can pay it: the card, or a wallet that covers the price', () => {
    expect(paymentMethodsFor(new Set(['card_to_card']), 0, 500)).toEqual({ card: true, wallet: false });
    expect(paymentMethodsFor(new Set(['wallet']), 499, 500)).toEqual({ card: false, wallet: false });
    expect(paymentMethodsFor(new Set(['wallet']), 500, 500)).toEqual({ card: false, wallet: true });
  });

  it('an online gateway that takes the amount is a way to pay too; with none of the three, no order', () => {
    expect(canPayOrder({ card: false, wallet: false }, 0)).toBe(false);
    expect(canPayOrder({ card: false, wallet: false }, 1)).toBe(true);
    expect(canPayOrder({ card: true, wallet: false }, 0)).toBe(true);
    expect(canPayOrder({ card: false, wallet: true }, 0)).toBe(true);
  });

  it('only a payment still waiting for its receipt expires; reviewers are reminded, the owner last', () => {
    expect([...EXPIRING_CARD_PAYMENT_STATUSES].sort()).toEqual(['awaiting_receipt', 'rejected']);
    expect(REVIEW_REMINDERS.map((r) => r.afterMinutes)).toEqual([30, 120, 360]);
    expect(REVIEW_REMINDERS.at(-1)?.to).toBe('owner');
  });

  it('the tracking-number pattern finds the numbers we hand out', () => {
    const n = cardTrackingNumber(new Date('2026-11-29T00:00:00Z'));
    expect(TRACKING_NUMBER_PATTERN.exec(`rejecting ${n}.`)?.[0]).toBe(n);
  });
});
