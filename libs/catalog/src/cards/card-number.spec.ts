import { isLuhnValid, maskCardNumber, parseCardNumber } from './card-number';

describe('card numbers', () => {
  it('accepts a Luhn-valid 16-digit number, with or without group separators', () => {
    expect(parseCardNumber('6037990000000006')).toEqual({ ok: true, digits: '6037990000000006' });
    expect(parseCardNumber('6037 9900 0000 0006')).toEqual({ ok: true, digits: '6037990000000006' });
    expect(parseCardNumber('6037-9900-0000-0006')).toEqual({ ok: true, digits: '6037990000000006' });
  });

  it('normalises Persian and Arabic-Indic digits', () => {
    expect(parseCardNumber('۶۰۳۷۹۹۰۰۰۰۰۰۰۰۰۶')).toEqual({ ok: true, digits: '6037990000000006' });
    expect(parseCardNumber('٦٠٣٧٩٩٠٠٠٠٠٠٠٠٠٦')).toEqual({ ok: true, digits: '6037990000000006' });
  });

  it('accepts 12 to 19 digits and refuses other lengths', () => {
    expect(parseCardNumber('4111111111111111111').ok).toBe(false); // 19 digits, bad check digit
    expect(parseCardNumber('4111111111111111110').ok).toBe(true); // 19 digits, valid
    expect(parseCardNumber('000000000000').ok).toBe(true); // 12 zeros pass Luhn
    expect(parseCardNumber('00000000000')).toMatchObject({ ok: false, error: expect.stringMatching(/12 to 19/) });
    expect(parseCardNumber('00000000000000000000')).toMatchObject({ ok: false });
  });

  it('refuses letters, dots, doubled separators, a wrong check digit and non-strings', () => {
    for (const bad of ['603799000000000a', '6037.9900.0000.0006', '6037  9900 0000 0006', '6037990000000007', '']) {
      expect({ bad, ok: parseCardNumber(bad).ok }).toEqual({ bad, ok: false });
    }
    expect(parseCardNumber(6037990000000006).ok).toBe(false);
    expect(parseCardNumber('6'.repeat(41)).ok).toBe(false);
  });

  it('Luhn: known valid and invalid numbers', () => {
    expect(isLuhnValid('4111111111111111')).toBe(true);
    expect(isLuhnValid('4111111111111112')).toBe(false);
    expect(isLuhnValid('5555555555554444')).toBe(true);
  });

  it('masks all but the last four digits', () => {
    expect(maskCardNumber('6037990000000006')).toBe('•••• 0006');
    expect(maskCardNumber('6037990000000006')).not.toContain('603799');
  });
});
