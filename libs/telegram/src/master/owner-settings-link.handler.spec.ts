import { OwnerSettingsCallbacks, ownerSettingsButton, parseOwnerSettingsCallback } from './owner-settings-link.handler';

const BOT = '0b5e6c1e-8f7a-4c11-9d3b-2a1f0e9d8c7b';

describe('the revoked-token notice\'s "Open Settings" callback', () => {
  it("carries the bot id, within Telegram's 64 bytes, and parses back to it", () => {
    const data = OwnerSettingsCallbacks.open(BOT);
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    expect(parseOwnerSettingsCallback(data)).toBe(BOT);
    expect(ownerSettingsButton('en', BOT)).toEqual({ text: '🖥 Open Settings', callback_data: data });
  });

  it.each([
    undefined,
    '',
    'mo:s:',
    'mo:s:short',
    `${OwnerSettingsCallbacks.open(BOT)}:x`,
    'ms:t:C15sHo96TBGdOyofDp2Mew',
    'wc:o',
  ])('refuses anything else: %p', (data) => expect(parseOwnerSettingsCallback(data)).toBeNull());
});
