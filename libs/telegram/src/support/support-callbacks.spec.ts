import { parseSupportCallback, SupportCallbacks } from './support-callbacks';

const ID = '0b9f6a4e-6a3c-4a8e-9d2b-3c1f0e7a5b21';

describe('support callback data (tk:)', () => {
  it('round-trips every button and fits Telegram’s 64 bytes', () => {
    const all = [
      [SupportCallbacks.open(), { kind: 'open' }],
      [SupportCallbacks.list(), { kind: 'list' }],
      [SupportCallbacks.cancel(), { kind: 'cancel' }],
      [SupportCallbacks.view(ID), { kind: 'view', ticketId: ID }],
      [SupportCallbacks.reply(ID), { kind: 'reply', ticketId: ID }],
      [SupportCallbacks.close(ID), { kind: 'close', ticketId: ID }],
      [SupportCallbacks.add(ID, 9_999_999_999), { kind: 'add', ticketId: ID, messageId: 9_999_999_999 }],
      [SupportCallbacks.add(ID, 1), { kind: 'add', ticketId: ID, messageId: 1 }],
      [SupportCallbacks.adminClose(ID), { kind: 'adminClose', ticketId: ID }],
    ] as const;
    for (const [data, parsed] of all) {
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
      expect(parseSupportCallback(data)).toEqual(parsed);
    }
  });

  it('refuses anything else', () => {
    const packed = SupportCallbacks.view(ID).split(':')[2];
    for (const bad of [
      undefined,
      '',
      'tk',
      'tk:',
      'tk:z',
      'tk:o:extra',
      `tk:v`,
      `tk:v:${packed}:x`,
      `tk:q:${packed}`,
      `tk:a:${packed}`,
      `tk:a:${packed}:0`,
      `tk:a:${packed}:-1`,
      `tk:a:${packed}:12345678901`,
      `tk:a:${packed}:1:2`,
      `tk:v:${packed}:1`,
      `tk:v:${packed.slice(1)}`,
      `tk:v:${packed}!`,
      `s:v:${packed}`,
      `tk:constructor:${packed}`,
      `tk:__proto__:${packed}`,
      'tk:v:' + 'A'.repeat(80),
    ]) {
      expect(parseSupportCallback(bad)).toBeNull();
    }
  });
});
