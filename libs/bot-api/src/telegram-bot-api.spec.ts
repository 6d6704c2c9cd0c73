import { DomainError, ErrorCode } from '@botfleet/common';
import { TelegramBotApi } from './telegram-bot-api';

const FAKE_TOKEN = '7000000001:AAfakefakefakefakefakefakefakefake1'; // a fake token shaped like a real one
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

async function failure(api: TelegramBotApi): Promise<DomainError> {
  try {
    await api.getMe(FAKE_TOKEN);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('getMe did not fail');
}

describe('TelegramBotApi.getMe', () => {
  it('returns the bot identity and calls <root>/bot<token>/getMe', async () => {
    const urls: string[] = [];
    const api = new TelegramBotApi('http://tg.test/', {
      fetch: async (url) => {
        urls.push(String(url));
        return json(200, {
          ok: true,
          result: { id: 7000000001, is_bot: true, first_name: 'Shop', username: 'shop_bot' },
        });
      },
    });
    await expect(api.getMe(FAKE_TOKEN)).resolves.toEqual({ id: 7000000001, username: 'shop_bot', firstName: 'Shop' });
    expect(urls).toEqual([`http://tg.test/bot${FAKE_TOKEN}/getMe`]);
  });

  it.each([401, 404])('maps %i to TELEGRAM_TOKEN_REJECTED', async (status) => {
    const api = new TelegramBotApi('http://tg.test', {
      fetch: async () => json(status, { ok: false, error_code: status, description: 'Unauthorized' }),
    });
    const err = await failure(api);
    expect(err.code).toBe(ErrorCode.TELEGRAM_TOKEN_REJECTED);
  });

  it.each([429, 500, 502])('maps %i to DEPENDENCY_DOWN', async (status) => {
    const api = new TelegramBotApi('http://tg.test', { fetch: async () => json(status, { ok: false }) });
    expect((await failure(api)).code).toBe(ErrorCode.DEPENDENCY_DOWN);
  });

  it('maps a network error to DEPENDENCY_DOWN without the URL (and so the token) in the message', async () => {
    const api = new TelegramBotApi('http://tg.test', {
      fetch: async (url) => {
        throw new TypeError(`fetch failed for ${String(url)}`);
      },
    });
    const err = await failure(api);
    expect(err.code).toBe(ErrorCode.DEPENDENCY_DOWN);
    expect(JSON.stringify({ m: err.message, d: err.details, s: err.stack })).not.toContain(FAKE_TOKEN.split(':')[1]);
  });

  it('gives up after the timeout', async () => {
    const api = new TelegramBotApi('http://tg.test', {
      timeoutMs: 50,
      fetch: (_url, init) =>
        new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason))),
    });
    const err = await failure(api);
    expect(err.code).toBe(ErrorCode.DEPENDENCY_DOWN);
    expect(err.message).toMatch(/in time/);
  });

  it('rejects a malformed token without calling Telegram', async () => {
    let called = false;
    const api = new TelegramBotApi('http://tg.test', {
      fetch: async () => {
        called = true;
        return json(200, {});
      },
    });
    await expect(api.getMe('nope')).rejects.toMatchObject({ code: ErrorCode.TELEGRAM_TOKEN_REJECTED });
    expect(called).toBe(false);
  });
});
