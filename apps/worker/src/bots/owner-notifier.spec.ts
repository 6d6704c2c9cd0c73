import type { HostedBotRow } from '@botfleet/platform';
import { buttonLabel, OwnerSettingsCallbacks, translate } from '@botfleet/telegram';
import { OwnerNotifier } from './owner-notifier.service';

const row = (over: Partial<HostedBotRow>): HostedBotRow => ({
  id: '0b5e6c1e-8f7a-4c11-9d3b-2a1f0e9d8c7b',
  name: 'Shop',
  status: 'token_invalid',
  isMaster: false,
  telegramBotId: 7_000_001,
  telegramUsername: 'corner_shop_bot',
  tokenCiphertext: 'ciphertext',
  tokenHash: 'hash',
  ownerTelegramId: 5_550_001,
  defaultLanguage: 'en',
  webhookSecretSalt: 'salt',
  updatedAtMs: 0,
  ...over,
});

/** What the master bot says to the owner of a bot whose token Telegram rejects. */
describe('OwnerNotifier.tokenInvalid', () => {
  const master = row({ id: 'master', isMaster: true, status: 'active', telegramUsername: 'platform_master_bot' });

  async function noticeFor(bot: HostedBotRow, base = 'https://shops.example.com/'): Promise<string> {
    const sendMessage = jest.fn().mockResolvedValue(undefined);
    const messenger = { as: jest.fn().mockReturnValue({ sendMessage }) };
    const repo = { getMaster: jest.fn().mockResolvedValue(master) };
    const notifier = new OwnerNotifier(repo as never, messenger as never, { PUBLIC_BASE_URL: base } as never);
    expect(await notifier.tokenInvalid(bot)).toBe(true);
    expect(messenger.as).toHaveBeenCalledWith(expect.objectContaining({ botId: 'master' }));
    // "Open Settings": the master bot answers the owner's tap with a one-time sign-in link (the dead bot cannot).
    expect(sendMessage).toHaveBeenCalledWith(bot.ownerTelegramId, expect.any(String), {
      parse_mode: 'HTML',
      reply_markup: {
        inline_keyboard: [
          [
            {
              text: buttonLabel(translate(bot.defaultLanguage, 'owner.btn.openSettings')),
              callback_data: OwnerSettingsCallbacks.open(bot.id),
            },
          ],
        ],
      },
    });
    return sendMessage.mock.calls[0][1] as string;
  }

  it.each(['en', 'fa', 'ru'] as const)(
    'sends the owner (%s) to the Settings page of the web console, the REST route only after it',
    async (lang) => {
      const bot = row({ defaultLanguage: lang });
      const text = await noticeFor(bot);
      const link = `https://shops.example.com/console/bots/${bot.id}/settings`;
      expect(text).toContain('@corner_shop_bot');
      expect(text).toContain(link);
      expect(text).toContain('@BotFather');
      // The REST call is there for developers, but second: a shop owner is told to open the console first.
      expect(text.indexOf(link)).toBeLessThan(text.indexOf('PUT /v1/bots/'));
      expect(text).not.toMatch(/\{\w+\}/);
    },
  );
});

/** What the master bot says to the owner of a deleted bot the operator restored (paused). */
describe('OwnerNotifier.restored', () => {
  const master = row({ id: 'master', isMaster: true, status: 'active', telegramUsername: 'platform_master_bot' });

  const notifierFor = (bot: HostedBotRow | null) => {
    const sendMessage = jest.fn().mockResolvedValue(undefined);
    const messenger = { as: jest.fn().mockReturnValue({ sendMessage }) };
    const repo = { getMaster: jest.fn().mockResolvedValue(master), get: jest.fn().mockResolvedValue(bot) };
    const base = 'https://shops.example.com/';
    return {
      notifier: new OwnerNotifier(repo as never, messenger as never, { PUBLIC_BASE_URL: base } as never),
      sendMessage,
    };
  };

  it.each(['en', 'fa', 'ru'] as const)(
    'tells the owner (%s) it is back paused, with the Settings link',
    async (lang) => {
      const bot = row({ status: 'paused', defaultLanguage: lang });
      const { notifier, sendMessage } = notifierFor(bot);
      expect(await notifier.restored(bot.id)).toBe(true);
      const [chatId, text] = sendMessage.mock.calls[0] as [number, string];
      expect(chatId).toBe(bot.ownerTelegramId);
      expect(text).toContain('@corner_shop_bot');
      expect(text).toContain(`https://shops.example.com/console/bots/${bot.id}/settings`);
      expect(text).toContain('API');
      expect(text).not.toMatch(/\{\w+\}/);
    },
  );

  it('says nothing for a bot deleted again or gone', async () => {
    for (const bot of [row({ status: 'deleted' }), null]) {
      const { notifier, sendMessage } = notifierFor(bot);
      expect(await notifier.restored('0b5e6c1e-8f7a-4c11-9d3b-2a1f0e9d8c7b')).toBe(false);
      expect(sendMessage).not.toHaveBeenCalled();
    }
  });
});

/** What a bot could not tell its admins, relayed to its owner by the master bot: at most once. */
describe('OwnerNotifier.relay', () => {
  it('sends once, with no retry of a 5xx or a network error by the client', async () => {
    const master = row({ id: 'master', isMaster: true, status: 'active', telegramUsername: 'platform_master_bot' });
    const sendMessage = jest.fn().mockResolvedValue(undefined);
    const messenger = { as: jest.fn().mockReturnValue({ sendMessage }) };
    const repo = { getMaster: jest.fn().mockResolvedValue(master) };
    const notifier = new OwnerNotifier(repo as never, messenger as never, {} as never);
    expect(await notifier.relay(row({}), '<b>ended</b>')).toBe(true);
    expect(messenger.as).toHaveBeenCalledWith(expect.objectContaining({ botId: 'master' }), 'interactive', {
      maxAttempts: 1,
    });
    expect(sendMessage).toHaveBeenCalledWith(5_550_001, '@corner_shop_bot\n<b>ended</b>', { parse_mode: 'HTML' });
  });
});
