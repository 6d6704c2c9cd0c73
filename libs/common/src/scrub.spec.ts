import { scrubSecrets, scrubValue } from './scrub';

describe('scrubSecrets', () => {
  const tg = '123456789:AAFakeTokenForTestsOnly_abcdefghijklmno';
  it('removes Telegram tokens, including inside Bot API URLs', () => {
    const s = scrubSecrets(`request to https://api.telegram.org/bot${tg}/getUpdates failed`);
    expect(s).not.toContain(tg);
    expect(s).toContain('bot[telegram-token]/getUpdates');
  });
  it('removes API tokens and bearer values', () => {
    const s = scrubSecrets(
      'Authorization: Bearer bft_abcdefghijklmnopqrstuvwxyz0123456789 and bfm_zzzzzzzzzzzzzzzzzzzzzzzzz',
    );
    expect(s).not.toMatch(/bft_|bfm_zz/);
  });
  it('scrubs nested objects and errors', () => {
    const err = new Error(`fetch failed for /bot${tg}/sendMessage`);
    const out = JSON.stringify(scrubValue({ nested: { list: [tg] }, err }));
    expect(out).not.toContain(tg);
    expect(out).toContain('[telegram-token]');
  });
});
