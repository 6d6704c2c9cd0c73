import { randomInt } from 'node:crypto';

/** No 0/O, 1/I/L: a person reads this to an admin over the phone. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** `C2C-YYMMDD-XXXXXX` (UTC date), unique per bot by a constraint; callers retry on the rare clash. */
export function cardTrackingNumber(now = new Date()): string {
  const d = now.toISOString();
  const date = `${d.slice(2, 4)}${d.slice(5, 7)}${d.slice(8, 10)}`;
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return `C2C-${date}-${suffix}`;
}
