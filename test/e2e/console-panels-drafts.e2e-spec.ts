import type { Locator, Page } from 'playwright-core';
import { TelegramEmulator } from '@botfleet/testing';
import { BotChat, buttonsOf, has, textOf } from './support/bot-chat';
import { screenshot } from './support/browser';
import { consoleShop } from './support/console-shop';
import { HostedTenant, PublicApi } from './support/public-api';

const OWNER = 883_001;

/**
 * The plan form's panel picker, the broadcast draft's edit (with a photo) and Persian dates, in a real browser
 * (Debian's Chromium) against the real API, a spawned worker and the Telegram emulator: a plan is put on the
 * panel the reseller picks and listed with it, a panel withdrawn while the form was open is refused on the field
 * in Persian; a draft changed after its preview must be previewed again (the worker is stopped, so nothing can
 * slip through) before it starts, and then goes out as changed — a photo with its caption and button, to the
 * audience chosen in the edit; in Persian the lists' dates and the days chosen in the native (Gregorian) date
 * inputs read in the Solar Hijri calendar.
 */
describe('console: plan panels, broadcast drafts, Persian dates', () => {
  jest.setTimeout(240_000);
  const shop = consoleShop({ username: 'console_panels_bot', name: 'Panels shop', ownerTelegramId: OWNER });
  const { emu } = shop;
  let api: PublicApi;
  let tenant: HostedTenant;
  let tg: ReturnType<TelegramEmulator['createBot']>;
  beforeAll(() => ({ api, tenant, tg } = shop));
  const open = shop.open;

  const plans = async () =>
    (await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}/plans`).expect(200)).body as {
      name: { en?: string; fa?: string };
      panelId: string | null;
      location: string | null;
    }[];

  /** The options a Mantine Select offers once opened (its list is portalled out of the dialog). */
  async function optionsOf(page: Page, select: Locator): Promise<string[]> {
    await select.click();
    const list = page.getByRole('listbox');
    await list.waitFor();
    const options = await list.getByRole('option').allInnerTexts();
    await select.click(); // closes it again (Escape would close the dialog too)
    await list.waitFor({ state: 'detached' });
    return options.map((o) => o.trim());
  }

  it('a plan is put on the panel picked in the form and listed with it; a withdrawn panel is refused on the field', async () => {
    const frankfurt = await api.newPanel({
      name: 'Frankfurt 1',
      type: 'remnawave',
      baseUrl: 'https://fra1.panel.test',
      credentials: { apiKey: 'rw-key-frankfurt' },
      location: 'DE',
    });
    const amsterdam = await api.newPanel({
      name: 'Amsterdam 1',
      type: 'remnawave',
      baseUrl: 'https://ams1.panel.test',
      credentials: { apiKey: 'rw-key-amsterdam' },
      location: 'NL',
    });
    // What the shop may read of the panels: names and locations, never the operator's addresses or keys.
    const offered = (await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}/panels`).expect(200)).body;
    expect(offered).toEqual([
      { id: frankfurt, name: 'Frankfurt 1', location: 'DE' },
      { id: amsterdam, name: 'Amsterdam 1', location: 'NL' },
    ]);
    expect(JSON.stringify(offered)).not.toMatch(/panel\.test|rw-key/);

    const page = await open('plans');
    await page.getByTestId('plan-create').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name (en)').fill('Amsterdam monthly');
    await dialog.getByLabel('Period (days)').fill('30');
    await dialog.getByLabel('Price (IRR)').fill('300000');
    const panel = dialog.getByLabel('VPN server');
    expect(await optionsOf(page, panel)).toEqual([
      'Any server (the least busy)',
      'Frankfurt 1 · DE',
      'Amsterdam 1 · NL',
    ]);
    await panel.click();
    await page.getByRole('option', { name: 'Amsterdam 1 · NL' }).click();
    // The plan's location follows the panel's.
    expect(await dialog.getByLabel('Location', { exact: true }).inputValue()).toBe('NL');
    await dialog.getByTestId('plan-save').click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByTestId('plan-row').filter({ hasText: 'Amsterdam monthly' });
    await row.getByTestId('plan-panel').getByText('Amsterdam 1 · NL').waitFor();
    expect(await plans()).toEqual([expect.objectContaining({ panelId: amsterdam, location: 'NL' })]);
    await screenshot(page, 'plans-panel-en');

    // In Persian: Frankfurt is picked, then the operator withdraws it before the form is saved.
    const fa = await open('plans', { lang: 'fa' });
    await fa.getByTestId('plan-create').click();
    const faDialog = fa.getByRole('dialog');
    await faDialog.locator('[data-field="name.fa"]').fill('فرانکفورت ماهانه');
    await faDialog.locator('[data-field="periodDays"]').fill('30');
    await faDialog.locator('[data-field="priceMinor"]').fill('350000');
    const faPanel = faDialog.locator('input[data-field="panelId"]');
    await faPanel.click();
    await fa.getByRole('option', { name: 'Frankfurt 1 · DE' }).click();
    await api.as(api.master, 'patch', `/v1/admin/panels/${frankfurt}`).send({ isActive: false }).expect(200);
    await faDialog.getByTestId('plan-save').click();
    await expectFieldError(faPanel, 'این سرور دیگر ارائه نمی‌شود. سرور دیگری انتخاب کنید.');
    expect(await plans()).toHaveLength(1);
    // The picker has read the panels again: the withdrawn one is no longer offered.
    await waitUntil(async () => !(await optionsOf(fa, faPanel)).includes('Frankfurt 1 · DE'));
    expect(await optionsOf(fa, faPanel)).toEqual(['هر سروری (کم‌بارترین)', 'Amsterdam 1 · NL']);
    await screenshot(fa, 'plan-panel-refused-fa');

    // A plan whose panel was withdrawn says so in the list, and can still be edited without touching the panel.
    await api.as(api.master, 'patch', `/v1/admin/panels/${amsterdam}`).send({ isActive: false }).expect(200);
    const later = await open('plans');
    const stale = later.getByTestId('plan-row').filter({ hasText: 'Amsterdam monthly' });
    await stale.getByTestId('plan-panel').getByText('A server that is no longer offered').waitFor();
    await stale.getByRole('button', { name: 'Edit' }).click();
    await later.getByRole('dialog').getByLabel('Traffic (GB)').fill('80');
    await later.getByRole('dialog').getByTestId('plan-save').click();
    await later.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await plans()).toEqual([expect.objectContaining({ panelId: amsterdam, location: 'NL' })]);
    await api.as(api.master, 'patch', `/v1/admin/panels/${amsterdam}`).send({ isActive: true }).expect(200);
  });

  it('a draft edited after its preview (text, photo, audience, button) is previewed again before it starts, then sent as edited', async () => {
    const english = new BotChat(emu, tg, { id: 883_100, first_name: 'Emma', language_code: 'en' });
    const persian = new BotChat(emu, tg, { id: 883_200, first_name: 'Sara', language_code: 'fa' });
    await english.send('/start');
    await persian.send('/start');
    const owner = new BotChat(emu, tg, { id: OWNER, first_name: 'Owner', language_code: 'en' }, { timeoutMs: 30_000 });

    const page = await open('broadcasts');
    await page.getByTestId('broadcast-create').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Message').fill('First draft for everyone');
    await dialog.getByTestId('broadcast-save').click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByTestId('broadcast-row').first();
    await row.getByText('Preview sent').waitFor({ timeout: 30_000 });
    await owner.message(has('First draft for everyone'));

    // A photo that is neither a link nor a file_id is refused on its field, and the draft stays as it was.
    await row.getByTestId('broadcast-edit').click();
    expect(await dialog.getByLabel('Message').inputValue()).toBe('First draft for everyone');
    await dialog.getByLabel('Photo (optional)').fill('my picture.jpg');
    await dialog.getByTestId('broadcast-save').click();
    await expectFieldError(dialog.getByLabel('Photo (optional)'), 'must be a Telegram file_id or an http(s) URL');
    const [unchanged] = (await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}/broadcasts`).expect(200)).body
      .items;
    expect(unchanged).toMatchObject({ text: 'First draft for everyone', photo: null });
    expect(unchanged.previewedAt).not.toBeNull();

    // No worker from here until the check: the new preview cannot arrive, so Start must stay closed.
    await shop.stopWorker();
    await dialog.getByLabel('Message').fill('<b>Spring sale</b>: two months for the price of one');
    await dialog.getByLabel('Photo (optional)').fill('https://cdn.example.com/spring.jpg');
    await dialog.getByTestId('preview-photo').getByText('https://cdn.example.com/spring.jpg').waitFor();
    await dialog.getByLabel('Language', { exact: true }).click();
    await page.getByRole('option', { name: 'en', exact: true }).click();
    await dialog.getByRole('button', { name: 'Add button' }).click();
    await dialog.getByPlaceholder('Button text').fill('Open the shop');
    await dialog.getByPlaceholder('https://…').last().fill('https://example.com/shop');
    await dialog.getByText('Saving a change sends a new preview; start it once that preview has arrived.').waitFor();
    await screenshot(page, 'broadcast-edit-en');
    await dialog.getByTestId('broadcast-save').click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByText('Waiting for the preview to reach your chat…').waitFor();
    await row.getByTestId('broadcast-photo').waitFor();
    expect(await row.getByTestId('broadcast-start').isDisabled()).toBe(true);
    const [edited] = (await api.as(tenant.apiToken, 'get', `/v1/bots/${tenant.id}/broadcasts`).expect(200)).body.items;
    expect(edited).toMatchObject({
      status: 'draft',
      text: '<b>Spring sale</b>: two months for the price of one',
      photo: 'https://cdn.example.com/spring.jpg',
      buttons: [{ text: 'Open the shop', url: 'https://example.com/shop' }],
      audience: { segment: 'all', language: 'en' },
      previewedAt: null,
    });
    const early = await api
      .as(tenant.apiToken, 'post', `/v1/bots/${tenant.id}/broadcasts/${edited.id}/start`)
      .expect(409);
    expect(early.body.error.details).toEqual({ reason: 'not_previewed' });

    // The worker is back: the edited preview reaches the owner as a photo with its caption, and Start opens.
    const beforePreview = owner.lastId();
    await shop.startWorker();
    const preview = await owner.next(beforePreview, (m) => textOf(m).includes('Spring sale: two months'));
    expect(preview.photo).toBeDefined();
    expect(buttonsOf(preview).map((b) => b.text)).toEqual(['Open the shop']);
    await row.getByText('Preview sent').waitFor({ timeout: 30_000 });
    const emmaBefore = english.lastId();
    const saraBefore = persian.lastId();
    await row.getByTestId('broadcast-start').click();
    await row.getByText('Sent', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await row.getByTestId('broadcast-progress').innerText()).toBe('1 sent · 0 failed · 1 in all');
    const got = await english.next(emmaBefore, has('Spring sale'));
    expect(got.photo).toBeDefined();
    expect(textOf(got)).toBe('Spring sale: two months for the price of one');
    // The Persian speaker is outside the audience chosen in the edit.
    expect(
      emu.getChatMessages(tg.id, persian.user.id).filter((m) => m.direction === 'bot' && m.messageId > saraBefore),
    ).toEqual([]);
    expect(await row.getByTestId('broadcast-edit').count()).toBe(0);
    await screenshot(page, 'broadcast-edited-sent-en');
  });

  it('in Persian, dates read in the Solar Hijri calendar: the lists, and beside the native date inputs', async () => {
    const page = await open('dashboard', { lang: 'fa' });
    const from = page.getByLabel('از', { exact: true });
    await from.fill('2026-03-21');
    // Nowruz: 21 March 2026 is 1 Farvardin 1405.
    await waitUntil(async () => (await describedBy(from)).includes('فروردین'));
    expect(await describedBy(from)).toMatch(/۱ فروردین ۱۴۰۵|۱۴۰۵ فروردین ۱/);
    await screenshot(page, 'dashboard-range-fa');

    const promos = await open('promo-codes', { lang: 'fa' });
    await promos.getByTestId('promo-create').click();
    const until = promos.getByRole('dialog').getByLabel('معتبر تا', { exact: true });
    await until.fill('2026-12-31T18:30');
    await waitUntil(async () => (await describedBy(until)).includes('دی'));
    expect(await describedBy(until)).toMatch(/۱۰ دی ۱۴۰۵|۱۴۰۵ دی ۱۰/);
    expect(await describedBy(until)).toContain('۱۸:۳۰');
    await promos.keyboard.press('Escape');

    // A date the console lists (the broadcast made above) is in the Persian year, not the Gregorian one.
    const yearIn = (calendar: string) =>
      /[۰-۹]{4}/.exec(new Intl.DateTimeFormat(`fa-IR-u-ca-${calendar}`, { year: 'numeric' }).format(new Date()))![0];
    const broadcasts = await open('broadcasts', { lang: 'fa' });
    const row = broadcasts.getByTestId('broadcast-row').first();
    await row.waitFor();
    expect(await row.innerText()).toContain(yearIn('persian'));
    expect(await row.innerText()).not.toContain(yearIn('gregory'));

    // A Persian reader who picks the Gregorian calendar needs no second date beside the input.
    await page.getByText('میلادی', { exact: true }).filter({ visible: true }).click();
    await waitUntil(async () => !(await describedBy(from)).includes('فروردین'));
  });
});

/** The texts an input is described by (its description and error). */
async function describedBy(input: Locator): Promise<string> {
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  const texts = await Promise.all(
    ids.map((id) =>
      input
        .page()
        .locator(`[id="${id}"]`)
        .innerText()
        .catch(() => ''),
    ),
  );
  return texts.join(' ');
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The input is marked invalid and shows `text` under it. */
async function expectFieldError(input: Locator, text: string): Promise<void> {
  await waitUntil(async () => (await input.getAttribute('aria-invalid')) === 'true');
  expect(await describedBy(input)).toContain(text);
}
