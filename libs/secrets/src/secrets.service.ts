import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const ALGO = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v';

export class SecretsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretsError';
  }
}

/** Parses `1:<b64>,2:<b64>` (or a bare key = version 1) into a version → key map. */
export function parseKeyring(spec: string): Map<number, Buffer> {
  const keys = new Map<number, Buffer>();
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(?:(\d+):)?(.+)$/.exec(part);
    if (!m) throw new SecretsError('Malformed encryption key list');
    const version = m[1] ? Number(m[1]) : 1;
    const key = Buffer.from(m[2], 'base64');
    if (key.length !== 32) throw new SecretsError(`Encryption key version ${version} is not 32 bytes`);
    if (keys.has(version)) throw new SecretsError(`Encryption key version ${version} is listed twice`);
    keys.set(version, key);
  }
  if (!keys.size) throw new SecretsError('No encryption key configured');
  return keys;
}

/**
 * Encryption at rest for Telegram tokens and panel credentials (RELIABILITY.md 9).
 * Ciphertext format: `v<version>.<iv>.<tag>.<data>` (base64url parts). The record's
 * owner id (bot id, panel id) is the associated data, so a ciphertext copied onto
 * another row does not decrypt.
 */
export class SecretBox {
  private readonly keys: Map<number, Buffer>;
  private readonly current: number;

  constructor(keyring: string | Map<number, Buffer>) {
    this.keys = typeof keyring === 'string' ? parseKeyring(keyring) : keyring;
    this.current = Math.max(...this.keys.keys());
  }

  get currentVersion(): number {
    return this.current;
  }

  encrypt(plaintext: string, associatedData: string): string {
    const key = this.keys.get(this.current)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGO, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      `${FORMAT}${this.current}`,
      iv.toString('base64url'),
      tag.toString('base64url'),
      data.toString('base64url'),
    ].join('.');
  }

  decrypt(ciphertext: string, associatedData: string): string {
    const parts = ciphertext.split('.');
    if (parts.length !== 4 || !parts[0].startsWith(FORMAT)) throw new SecretsError('Malformed ciphertext');
    const version = Number(parts[0].slice(FORMAT.length));
    const key = this.keys.get(version);
    if (!key) throw new SecretsError(`Unknown encryption key version ${version}`);
    const iv = Buffer.from(parts[1], 'base64url');
    const tag = Buffer.from(parts[2], 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretsError('Malformed ciphertext');
    try {
      const decipher = createDecipheriv(ALGO, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(parts[3], 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretsError('Ciphertext failed authentication');
    }
  }

  /** Version a ciphertext was written with (for re-encryption after a rotation). */
  static versionOf(ciphertext: string): number {
    return Number(ciphertext.split('.')[0].slice(FORMAT.length));
  }
}

/** Keyed hash for "is this token already registered" lookups without storing the token. */
export class TokenHasher {
  private readonly key: Buffer;
  constructor(base64Key: string) {
    this.key = Buffer.from(base64Key, 'base64');
    if (this.key.length !== 32) throw new SecretsError('TOKEN_HASH_KEY is not 32 bytes');
  }
  hmac(value: string): string {
    return createHmac('sha256', this.key).update(value, 'utf8').digest('hex');
  }
}

export const API_TOKEN_PREFIX = 'bft_';

/** A fresh tenant API token: `bft_` + 32 random bytes (base64url). */
export function generateApiToken(): string {
  return API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time string equality (hashes first so lengths do not leak either). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** Short, non-secret display form of a token: its first characters after the prefix. */
export function tokenPrefix(token: string): string {
  return token.slice(0, API_TOKEN_PREFIX.length + 6);
}

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
