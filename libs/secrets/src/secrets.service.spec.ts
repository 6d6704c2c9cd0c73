import { randomBytes } from 'node:crypto';
import {
  constantTimeEqual,
  generateApiToken,
  parseKeyring,
  SecretBox,
  SecretsError,
  sha256Hex,
  TokenHasher,
} from './secrets.service';

const k = () => randomBytes(32).toString('base64');

describe('SecretBox', () => {
  const key1 = k();
  const key2 = k();
  const botA = '11111111-1111-4111-8111-111111111111';
  const botB = '22222222-2222-4222-8222-222222222222';

  it('round-trips and never contains the plaintext', () => {
    const box = new SecretBox(`1:${key1}`);
    const token = '123456789:AAHfakeTokenForTestsOnly_abcdefghijk';
    const ct = box.encrypt(token, botA);
    expect(ct).not.toContain(token);
    expect(ct.startsWith('v1.')).toBe(true);
    expect(box.decrypt(ct, botA)).toBe(token);
    expect(box.encrypt(token, botA)).not.toBe(ct); // fresh IV each time
  });

  it('rejects tampered ciphertext', () => {
    const box = new SecretBox(key1);
    const ct = box.encrypt('secret', botA);
    const parts = ct.split('.');
    const data = Buffer.from(parts[3], 'base64url');
    data[0] ^= 0x01;
    parts[3] = data.toString('base64url');
    expect(() => box.decrypt(parts.join('.'), botA)).toThrow(SecretsError);
    const tag = Buffer.from(ct.split('.')[2], 'base64url');
    tag[0] ^= 0x01;
    const p2 = ct.split('.');
    p2[2] = tag.toString('base64url');
    expect(() => box.decrypt(p2.join('.'), botA)).toThrow('authentication');
  });

  it('rejects the wrong associated data (another bot id)', () => {
    const box = new SecretBox(key1);
    expect(() => box.decrypt(box.encrypt('secret', botA), botB)).toThrow(SecretsError);
  });

  it('rejects an unknown key version and a malformed ciphertext', () => {
    const box = new SecretBox(`1:${key1}`);
    const ct = box.encrypt('secret', botA).replace(/^v1\./, 'v7.');
    expect(() => box.decrypt(ct, botA)).toThrow('Unknown encryption key version 7');
    expect(() => box.decrypt('garbage', botA)).toThrow('Malformed');
  });

  it('encrypts with the newest key and still decrypts old versions after rotation', () => {
    const old = new SecretBox(`1:${key1}`);
    const oldCt = old.encrypt('old-secret', botA);
    const rotated = new SecretBox(`1:${key1},2:${key2}`);
    expect(rotated.currentVersion).toBe(2);
    expect(rotated.decrypt(oldCt, botA)).toBe('old-secret');
    const newCt = rotated.encrypt('new-secret', botA);
    expect(SecretBox.versionOf(newCt)).toBe(2);
    expect(() => old.decrypt(newCt, botA)).toThrow('Unknown encryption key version 2');
  });

  it('refuses keys that are not 32 bytes or listed twice', () => {
    expect(() => parseKeyring(randomBytes(16).toString('base64'))).toThrow('not 32 bytes');
    expect(() => parseKeyring(`1:${key1},1:${key2}`)).toThrow('listed twice');
  });
});

describe('tokens and hashes', () => {
  it('API tokens are bft_ + 32 random bytes, all distinct', () => {
    const tokens = new Set(Array.from({ length: 200 }, generateApiToken));
    expect(tokens.size).toBe(200);
    for (const t of tokens) {
      expect(t).toMatch(/^bft_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(t.slice(4), 'base64url')).toHaveLength(32);
    }
  });

  it('sha256 and HMAC are stable and keyed', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const h1 = new TokenHasher(randomBytes(32).toString('base64'));
    const h2 = new TokenHasher(randomBytes(32).toString('base64'));
    expect(h1.hmac('x')).toBe(h1.hmac('x'));
    expect(h1.hmac('x')).not.toBe(h2.hmac('x'));
  });

  it('constant-time compare answers equality only', () => {
    expect(constantTimeEqual('same', 'same')).toBe(true);
    expect(constantTimeEqual('same', 'sama')).toBe(false);
    expect(constantTimeEqual('short', 'longer-value')).toBe(false);
  });
});
