import { TelegramEmulator } from './telegram-emulator';

// Generous: these talk HTTP on a shared CI machine; they assert behaviour, not speed.
jest.setTimeout(30_000);

interface Answer {
  status: number;
  body: { ok: boolean; error_code?: number; description?: string; parameters?: { retry_after?: number } };
}

const user = { id: 6001, first_name: 'Grace' };

describe('fault injection', () => {
  let emulator: TelegramEmulator;
  let bot: { id: number; token: string };
  let random = 0;

  const call = async (token: string, method: string, params: Record<string, unknown> = {}): Promise<Answer> => {
    const response = await fetch(`${emulator.url}/bot${token}/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(params),
    });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  };
  const send = (token = bot.token, text = 'hi'): Promise<Answer> =>
    call(token, 'sendMessage', { chat_id: user.id, text });

  beforeAll(async () => {
    emulator = await TelegramEmulator.start({ random: () => random });
  });

  afterAll(async () => {
    await emulator.close();
  });

  beforeEach(() => {
    emulator.reset();
    bot = emulator.createBot();
  });

  it('answers 429 with retry_after above N send calls per second, per bot, and counts them', async () => {
    emulator.setFaults(bot.id, { rateLimit: { perSecond: 5 } });
    const other = emulator.createBot();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await send()).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const limited = await send();
    expect(limited.body).toEqual({
      ok: false,
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    });
    // Other bots and non-send methods are not limited.
    expect((await send(other.token)).status).toBe(200);
    expect((await call(bot.token, 'getMe')).status).toBe(200);
    expect(emulator.getBotStats(bot.id).status429).toBe(4);
    expect(emulator.getStats().status429).toBe(4);

    await new Promise((resolve) => setTimeout(resolve, 1_050));
    expect((await send()).status).toBe(200);
  });

  it('applies a global rate limit to every bot separately, with the configured retry_after', async () => {
    emulator.setFaults('global', { rateLimit: { perSecond: 2, retryAfter: 7 } });
    const other = emulator.createBot();
    for (const token of [bot.token, other.token]) {
      expect((await send(token)).status).toBe(200);
      expect((await send(token)).status).toBe(200);
      expect((await send(token)).body.parameters).toEqual({ retry_after: 7 });
    }
    emulator.clearFaults();
    expect((await send()).status).toBe(200);
  });

  it('fails the next N calls (optionally of some methods) with 5xx', async () => {
    emulator.setFaults(bot.id, { failNext: { count: 2, status: 502, methods: ['sendMessage'] } });
    expect((await call(bot.token, 'getMe')).status).toBe(200);
    expect(await send()).toEqual({ status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } });
    expect((await send()).status).toBe(502);
    expect((await send()).status).toBe(200);

    emulator.setFaults('global', { failNext: { count: 1 } });
    expect((await call(bot.token, 'getMe')).status).toBe(200);
    const other = emulator.createBot();
    expect((await call(other.token, 'getMe')).status).toBe(500);
    expect((await call(other.token, 'getMe')).status).toBe(200);
  });

  it('fails a ratio of calls', async () => {
    emulator.setFaults(bot.id, { failRatio: { ratio: 0.5, status: 503 } });
    random = 0.7;
    expect((await send()).status).toBe(200);
    random = 0.3;
    expect((await send()).status).toBe(503);
    random = 0;
  });

  it('answers the next N sendPhoto calls with a message that has no photo (kept as a document)', async () => {
    emulator.setFaults(bot.id, { photoAsDocument: { count: 1 } });
    const photo = 'https://example.com/sale.jpg';
    const first = (await call(bot.token, 'sendPhoto', { chat_id: user.id, photo })) as unknown as {
      body: { ok: boolean; result: { photo?: unknown; document?: { file_id: string } } };
    };
    expect(first.body.ok).toBe(true);
    expect(first.body.result.photo).toBeUndefined();
    expect(first.body.result.document?.file_id).toEqual(expect.any(String));
    const second = (await call(bot.token, 'sendPhoto', { chat_id: user.id, photo })) as unknown as {
      body: { result: { photo?: { file_id: string }[] } };
    };
    expect(second.body.result.photo).toHaveLength(3);
  });

  it('carries out the next N calls but loses their answer: a 5xx, or the connection closed', async () => {
    emulator.setFaults(bot.id, { loseAnswer: { count: 1, status: 504, methods: ['sendMessage'] } });
    expect((await call(bot.token, 'getMe')).status).toBe(200);
    expect((await send(bot.token, 'one')).status).toBe(504);
    expect((await send(bot.token, 'two')).status).toBe(200);
    emulator.setFaults(bot.id, { loseAnswer: { count: 1 } });
    await expect(send(bot.token, 'three')).rejects.toThrow();
    const texts = emulator.getChatMessages(bot.id, user.id).map((m) => m.text);
    expect(texts).toEqual(['one', 'two', 'three']);
  });

  it('delays answers', async () => {
    emulator.setFaults(bot.id, { delay: { ms: 200, methods: ['sendMessage'] } });
    let started = Date.now();
    await call(bot.token, 'getMe');
    expect(Date.now() - started).toBeLessThan(150);
    started = Date.now();
    expect((await send()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});
