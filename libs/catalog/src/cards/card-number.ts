/**
 * Bank card numbers (PANs). Stored and returned as ASCII digits only. Input may group the
 * digits with single spaces or hyphens ("6037 9900 0000 0006", as printed on the card) and
 * may use Persian or Arabic-Indic digits (what an Iranian keyboard types); both are
 * normalised. Anything else (letters, dots, doubled separators) is refused, as is a number
 * that is not 12–19 digits long or fails the Luhn check.
 */
export const CARD_NUMBER_MIN_DIGITS = 12;
export const CARD_NUMBER_MAX_DIGITS = 19;
/** Longest raw input we look at (19 digits plus separators), so oversize input fails fast. */
export const CARD_NUMBER_MAX_INPUT = 40;

const PERSIAN_ZERO = 0x06f0;
const ARABIC_INDIC_ZERO = 0x0660;
const GROUPED_DIGITS = /^[0-9]+(?:[ -][0-9]+)*$/;

function toAsciiDigits(input: string): string {
  return input.replace(/[\u06f0-\u06f9\u0660-\u0669]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return String(code >= PERSIAN_ZERO ? code - PERSIAN_ZERO : code - ARABIC_INDIC_ZERO);
  });
}

/** The Luhn (mod 10) check digit test. */
export function isLuhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export type CardNumberCheck = { ok: true; digits: string } | { ok: false; error: string };

/** Normalises and checks a card number as typed by a person. */
export function parseCardNumber(input: unknown): CardNumberCheck {
  if (typeof input !== 'string') return { ok: false, error: 'must be a string of digits' };
  if (input.length > CARD_NUMBER_MAX_INPUT) return { ok: false, error: 'is too long' };
  const raw = toAsciiDigits(input.trim());
  if (!GROUPED_DIGITS.test(raw)) {
    return { ok: false, error: 'must contain digits only (single spaces or hyphens between groups are allowed)' };
  }
  const digits = raw.replace(/[ -]/g, '');
  if (digits.length < CARD_NUMBER_MIN_DIGITS || digits.length > CARD_NUMBER_MAX_DIGITS) {
    return { ok: false, error: `must have ${CARD_NUMBER_MIN_DIGITS} to ${CARD_NUMBER_MAX_DIGITS} digits` };
  }
  if (!isLuhnValid(digits)) return { ok: false, error: 'is not a valid card number (Luhn check failed)' };
  return { ok: true, digits };
}

/**
 * The card number as shown everywhere except the tenant's own card endpoints and the buyer's
 * payment screen: only the last four digits ("•••• 0006").
 */
export function maskCardNumber(cardNumber: string): string {
  const digits = cardNumber.replace(/[^0-9]/g, '');
  return `•••• ${digits.slice(-4)}`;
}
