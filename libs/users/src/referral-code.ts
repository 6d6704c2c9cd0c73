import { randomBytes } from 'node:crypto';

/** Lower-case letters and digits without the look-alikes 0/o, 1/l/i: easy to read out and type. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const LENGTH = 10;

/** A fresh referral code: 10 characters from a 31-symbol alphabet (≈ 49 bits), unique per bot by constraint. */
export function newReferralCode(): string {
  const bytes = randomBytes(LENGTH);
  let code = '';
  for (const b of bytes) code += ALPHABET[b % ALPHABET.length];
  return code;
}

const REF_PAYLOAD = /^ref_([a-z0-9]{4,16})$/i;

/** The referral code inside a `/start ref_<code>` deep-link payload, or null when the payload is not one. */
export function referralCodeFromPayload(payload: string | undefined | null): string | null {
  if (!payload) return null;
  const m = REF_PAYLOAD.exec(payload.trim());
  return m ? m[1].toLowerCase() : null;
}
