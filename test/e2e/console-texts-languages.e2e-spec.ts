import { BotChat, has } from './support/bot-chat';
import { consoleShop } from './support/console-shop';

const OWNER = 881_301;

/**
 * A shop text edited in two places, in a real browser (Debian's Chromium) against the real API, a spawned worker
 * and the Telegram emulator: the texts page is opened, then the owner changes the Persian welcome in the bot's
 * admin flow, then edits the English one in the page (still showing the old Persian) and saves. The console saves
 * only the language it changed, so both texts are kept, and customers of each language see theirs.
 */
describe('console: a shop text edited in the bot and in the console', () => {
  jest.setTimeout(180_000);
  const shop = consoleShop({ username: 'console_texts_bot', name: 'Texts shop', ownerTelegramId: OWNER });
  const welcome = async () =>
    (
      (await shop.api.as(shop.tenant.apiToken, 'get', `/v1/bots/${shop.tenant.id}/configurations`).expect(200))
        .body as { key: string; value: unknown }[]
    ).find((c) => c.key === 'welcome_text')!.value;

  it("the page opened before the bot's edit saves its English and keeps the bot's Persian", async () => {
    await shop.api
      .as(shop.tenant.apiToken, 'put', `/v1/bots/${shop.tenant.id}/configurations/welcome_text`)
      .send({ value: { en: 'Hello from the shop', fa: 'سلام قدیمی' } })
      .expect(200);

    const page = await shop.open('texts');
    const en = page.getByLabel('Welcome text (en)');
    await page.getByTestId('preview-bubble').getByText('Hello from the shop').waitFor();

    // Meanwhile the owner changes the Persian welcome in the bot.
    const owner = new BotChat(shop.emu, shop.tg, { id: OWNER, first_name: 'Owner', language_code: 'en' });
    const texts = await owner.send('/texts', has('Shop texts'));
    await owner.tap(texts, 'ad:te:w:fa');
    await owner.message(has('Send the new'));
    const preview = await owner.send('سلام تازه از ربات', has('Preview'));
    expect((await owner.tap(preview, 'ad:tS:')).text).toContain('Saved');
    expect(await welcome()).toEqual({ en: 'Hello from the shop', fa: 'سلام تازه از ربات' });

    // The page still has the old Persian; the user edits the English and saves.
    await en.fill('Hello, edited in the console');
    await page.getByTestId('save-welcome_text').click();
    await page.getByTestId('config-welcome_text').getByRole('status').waitFor();
    expect(await welcome()).toEqual({ en: 'Hello, edited in the console', fa: 'سلام تازه از ربات' });

    // The page now shows the bot's Persian, and customers see each language's text.
    await page.getByTestId('text-language').getByText('فارسی').click();
    await page.getByTestId('preview-bubble').getByText('سلام تازه از ربات').waitFor();
    const persian = new BotChat(shop.emu, shop.tg, { id: 881_302, first_name: 'Sara', language_code: 'fa' });
    await persian.send('/start', has('سلام تازه از ربات'), 20_000);
    const english = new BotChat(shop.emu, shop.tg, { id: 881_303, first_name: 'Sam', language_code: 'en' });
    await english.send('/start', has('Hello, edited in the console'), 20_000);
  });

  it('an emptied language is removed alone; a refused one shows on its field and changes nothing', async () => {
    const page = await shop.open('texts');
    const en = page.getByLabel('Welcome text (en)');
    await page.getByTestId('preview-bubble').getByText('Hello, edited in the console').waitFor();

    await en.fill('x'.repeat(3001));
    await page.getByTestId('save-welcome_text').click();
    await page.getByText('must be at most 3000 characters').waitFor();
    expect(await en.getAttribute('aria-invalid')).toBe('true');
    expect(await welcome()).toEqual({ en: 'Hello, edited in the console', fa: 'سلام تازه از ربات' });

    await en.fill('');
    await page.getByTestId('save-welcome_text').click();
    await page.getByTestId('config-welcome_text').getByRole('status').waitFor();
    expect(await welcome()).toEqual({ fa: 'سلام تازه از ربات' });
  });
});
