import { TelegramEmulator } from '@botfleet/testing';
import { BotChat, has, textOf } from './support/bot-chat';
import { screenshot } from './support/browser';
import { consoleShop } from './support/console-shop';
import { HostedTenant, PublicApi } from './support/public-api';

const OWNER = 884_001;
/** A 2×2 PNG, the shop owner's picture. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFElEQVR4nGP4z8DAAMIM////ZwAAHu8E/KPItPcAAAAASUVORK5CYII=',
  'base64',
);

/**
 * A broadcast's photo picked from the shop owner's computer, in a real browser (Debian's Chromium) against the
 * real API, a spawned worker and the Telegram emulator: a picture too large or of the wrong type is refused beside
 * the field before anything is sent; a good one shows as a thumbnail, goes up with the draft, reaches the owner
 * with the preview, and the customers get the very same photo once it starts.
 */
describe('console: a broadcast photo from the computer', () => {
  jest.setTimeout(180_000);
  const shop = consoleShop({ username: 'console_photo_bot', name: 'Photo shop', ownerTelegramId: OWNER });
  const { emu } = shop;
  let api: PublicApi;
  let tenant: HostedTenant;
  let tg: ReturnType<TelegramEmulator['createBot']>;
  beforeAll(() => ({ api, tenant, tg } = shop));
  const open = shop.open;

  it('pick a picture → thumbnail → saved draft previewed with it → started: customers get that photo', async () => {
    const customer = new BotChat(emu, tg, { id: 884_100, first_name: 'Emma', language_code: 'en' });
    await customer.send('/start');
    const owner = new BotChat(emu, tg, { id: OWNER, first_name: 'Owner', language_code: 'en' }, { timeoutMs: 30_000 });

    const page = await open('broadcasts');
    await page.getByTestId('broadcast-create').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Message').fill('<b>Autumn sale</b> with our own picture');
    const picker = dialog.getByTestId('broadcast-photo-file');

    // Refused in the page, nothing sent: a file that is not a picture, then one over 5 MB.
    await picker.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await dialog.getByText('Choose a JPEG, PNG or WebP picture.').waitFor();
    const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
    await picker.setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: big });
    await dialog.getByText('The picture is too large: at most 5 MB.').waitFor();
    expect(await dialog.getByTestId('broadcast-photo-thumb').count()).toBe(0);

    await picker.setInputFiles({ name: 'autumn.png', mimeType: 'image/png', buffer: PNG });
    const thumb = dialog.getByTestId('broadcast-photo-thumb');
    await thumb.waitFor();
    // Shown from the computer itself (a blob: address the page's CSP lets it load), not from the server.
    expect(await thumb.getAttribute('src')).toMatch(/^blob:/);
    await page.waitForFunction(
      (el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth === 2,
      await thumb.elementHandle(),
    );
    expect(await dialog.getByText('Choose a JPEG, PNG or WebP picture.').count()).toBe(0);
    await dialog.getByTestId('preview-photo').getByText('autumn.png').waitFor();
    await screenshot(page, 'broadcast-photo-picked-en');
    await dialog.getByTestId('broadcast-save').click();
    await dialog.waitFor({ state: 'detached' });

    const row = page.getByTestId('broadcast-row').first();
    await row.getByTestId('broadcast-photo').waitFor();
    const preview = await owner.message(has('Autumn sale with our own picture'));
    expect(preview.photo).toBeDefined();
    await row.getByText('Preview sent').waitFor({ timeout: 30_000 });
    // One preview, with the picture: the draft saved just before it was not previewed without it.
    const previews = owner.messages().filter((m) => m.direction === 'bot' && textOf(m).includes('Autumn sale'));
    expect(previews.map((m) => m.method)).toEqual(['sendPhoto']);
    const [draft] = (await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}/broadcasts`).expect(200)).body.items;
    // The picture is now Telegram's: the draft keeps the file_id the preview got back, and no bytes.
    expect(draft).toMatchObject({ photo: preview.photo!.at(-1)!.file_id, photoUpload: null });

    const before = customer.lastId();
    await row.getByTestId('broadcast-start').click();
    await row.getByText('Sent', { exact: true }).waitFor({ timeout: 30_000 });
    const got = await customer.next(before, has('Autumn sale'));
    expect(textOf(got)).toBe('Autumn sale with our own picture');
    expect(got.photo?.at(-1)?.file_unique_id).toBe(preview.photo!.at(-1)!.file_unique_id);
    await screenshot(page, 'broadcast-photo-sent-en');
  });

  it('a draft whose picture never arrived says it waits for it, and cannot be started', async () => {
    const saved = await api
      .as(tenant.apiToken, 'post', `/v1/bots/${tenant.id}/broadcasts`)
      .send({ text: 'Winter sale', audience: { segment: 'all' }, photoUploadFollows: true })
      .expect(201);
    expect(saved.body).toMatchObject({ awaitingPhoto: true, previewedAt: null });
    const page = await open('broadcasts');
    const row = page.getByTestId('broadcast-row').first();
    await row.getByText('Winter sale').waitFor();
    await row
      .getByTestId('broadcast-awaiting-photo')
      .getByText(/Waiting for its picture/)
      .waitFor();
    expect(await row.getByTestId('broadcast-start').isDisabled()).toBe(true);
  });
});
