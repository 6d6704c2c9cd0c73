import { chooseLanguage } from './language-choice';
import { newReferralCode, referralCodeFromPayload } from './referral-code';

describe('language of a new user', () => {
  it('takes the Telegram language when the bot offers it, else the default', () => {
    expect(chooseLanguage('ru', ['fa', 'en', 'ru'], 'fa')).toBe('ru');
    expect(chooseLanguage('en-US', ['fa', 'en'], 'fa')).toBe('en');
    expect(chooseLanguage('ru', ['fa', 'en'], 'en')).toBe('en');
    expect(chooseLanguage(undefined, ['fa', 'en'], 'fa')).toBe('fa');
    expect(chooseLanguage('de', ['ru'], 'fa')).toBe('ru');
  });
});

describe('referral codes', () => {
  it('are 10 readable characters and read back from ref_ deep links only', () => {
    const codes = new Set(Array.from({ length: 500 }, newReferralCode));
    expect(codes.size).toBe(500);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{10}$/);
    expect(referralCodeFromPayload('ref_AbC234xyz9')).toBe('abc234xyz9');
    expect(referralCodeFromPayload('promo_x')).toBeNull();
    expect(referralCodeFromPayload('ref_')).toBeNull();
    expect(referralCodeFromPayload(undefined)).toBeNull();
  });
});
