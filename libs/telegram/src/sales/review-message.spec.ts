import type { CardPaymentEntity, OrderEntity, PaymentCardEntity, PlanEntity, UserEntity } from '@botfleet/dal';
import { parseHtml } from '@botfleet/testing';
import { translate } from '../i18n/translate';
import { htmlToText, TELEGRAM_LIMITS } from '../text/html';
import { reviewMessageText } from './review-message';

const NASTY = '"<>&'.repeat(1000); // 4,000 characters, each one escaped to an entity

const payment = (over: Partial<CardPaymentEntity>): CardPaymentEntity =>
  ({
    id: '0b9f6a4e-6a3c-4a8e-9d2b-3c1f0e7a5b21',
    trackingNumber: 'C2C-261129-ABCDEF',
    amountMinor: 500_000,
    expiresAt: new Date('2026-11-29T10:00:00Z'),
    isFlagged: true,
    receiptType: 'photo',
    receiptText: null,
    ...over,
  }) as CardPaymentEntity;

const subject = {
  user: { firstName: NASTY, lastName: NASTY, username: 'buyer', telegramId: 42 } as UserEntity,
  order: { currency: 'IRR' } as OrderEntity,
  card: { cardNumber: '6037991234567890', cardHolderName: NASTY } as PaymentCardEntity,
  plan: { name: { en: NASTY, fa: NASTY, ru: NASTY } } as PlanEntity,
};

/** What Telegram would store: the emulator's HTML parser throws where Telegram answers "can't parse entities". */
function shown(html: string): string {
  return parseHtml(html).text.trim();
}

describe('the review message is valid HTML within Telegram limits, the warning on top', () => {
  it.each(['en', 'fa', 'ru'] as const)(
    'a photo caption (%s) of names made of "<>& fits 1024, cut at no entity',
    (lang) => {
      const html = reviewMessageText(lang, payment({}), subject, 'IRR', TELEGRAM_LIMITS.caption);
      const text = shown(html);
      expect(text.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.caption);
      expect(text.split('\n')[0]).toBe(htmlToText(translate(lang, 'review.flagged')));
      // A cut entity would show as "&am", "&q", "&l" …; escaped names only ever show '"<>&' themselves.
      expect(text).not.toMatch(/&[a-z#]/);
      expect(text).toContain('C2C-261129-ABCDEF');
    },
  );

  it('a text receipt of 4,000 escaped characters is shortened to 4096 with a marker, the warning first', () => {
    const html = reviewMessageText('en', payment({ receiptType: 'text', receiptText: NASTY }), subject, 'IRR');
    const text = shown(html);
    expect(text.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.messageText);
    expect(text.split('\n')[0]).toBe(htmlToText(translate('en', 'review.flagged')));
    expect(text.endsWith(htmlToText(translate('en', 'review.shortened')))).toBe(true);
    expect(text).not.toMatch(/&[a-z#]/);
    // As much of the receipt as fits is shown.
    expect(text.length).toBeGreaterThan(TELEGRAM_LIMITS.messageText - 100);
  });

  it('a short receipt is shown whole, without a marker', () => {
    const html = reviewMessageText(
      'en',
      payment({ isFlagged: false, receiptType: 'text', receiptText: 'paid <b>1&2</b>' }),
      subject,
      'IRR',
    );
    const text = shown(html);
    expect(text).toContain('paid <b>1&2</b>');
    expect(text).not.toContain(htmlToText(translate('en', 'review.shortened')));
  });
});
