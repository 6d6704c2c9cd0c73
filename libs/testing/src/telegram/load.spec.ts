import * as http from 'node:http';
import { TelegramEmulator } from './telegram-emulator';

// Generous: these talk HTTP on a shared CI machine; they assert behaviour, not speed.
jest.setTimeout(60_000);

interface Reply {
  status: number;
  body: { ok: boolean; result?: unknown };
  localPort: number | undefined;
}

/** A raw keep-alive request, so the test controls connection reuse. */
function post(agent: http.Agent, url: string, params: Record<string, unknown>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(params);
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Reply['body'],
            localPort: response.socket?.localPort,
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

describe('under load', () => {
  let emulator: TelegramEmulator;

  beforeEach(async () => {
    emulator = await TelegramEmulator.start();
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('answers 2,000 concurrent sendMessage calls over keep-alive, each with its own message id', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
    const bots = Array.from({ length: 4 }, () => emulator.createBot());
    const chats = 25;
    try {
      const replies = await Promise.all(
        Array.from({ length: 2_000 }, (_, i) => {
          const bot = bots[i % bots.length];
          return post(agent, `${emulator.url}/bot${bot.token}/sendMessage`, {
            chat_id: 10_000 + (Math.floor(i / bots.length) % chats),
            text: `message ${i}`,
          });
        }),
      );
      expect(replies.filter((reply) => reply.status !== 200)).toEqual([]);
      // Connections were reused rather than opened per request.
      expect(new Set(replies.map((reply) => reply.localPort)).size).toBeLessThanOrEqual(50);

      const seen = new Set<string>();
      for (const reply of replies) {
        const message = reply.body.result as { message_id: number; chat: { id: number }; from: { id: number } };
        const key = `${message.from.id}/${message.chat.id}/${message.message_id}`;
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
      for (const bot of bots) {
        for (let chat = 0; chat < chats; chat++) {
          const ids = emulator.getChatMessages(bot.id, 10_000 + chat).map((message) => message.messageId);
          expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        }
      }
      expect(emulator.getStats()).toMatchObject({ requests: 2_000, sentMessages: 2_000 });
    } finally {
      agent.destroy();
    }
  });

  it('holds 1,000 idle long polls and wakes only the bot that gets an update', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
    const bots = Array.from({ length: 1_000 }, () => emulator.createBot());
    try {
      const polls = bots.map((bot) => post(agent, `${emulator.url}/bot${bot.token}/getUpdates`, { timeout: 30 }));
      await Promise.all(bots.map((bot) => emulator.waitForPolling(bot.id)));
      expect(emulator.getStats().activePollers).toBe(1_000);

      const lucky = 617;
      const started = Date.now();
      emulator.sendText(bots[lucky].id, { from: { id: 42 }, text: '/start' });
      const woken = await polls[lucky];
      // Far below the 30 s poll timeout: it was the update that ended the poll.
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(woken.body.result).toEqual([
        expect.objectContaining({ message: expect.objectContaining({ text: '/start' }) }),
      ]);
      expect(emulator.getStats().activePollers).toBe(999);
      expect(emulator.getBotStats(bots[lucky + 1].id).activePollers).toBe(1);

      // Closing ends every pending poll at once instead of leaving clients hanging until their timeout.
      const closing = Date.now();
      await emulator.close();
      await Promise.allSettled(polls);
      expect(Date.now() - closing).toBeLessThan(10_000);
    } finally {
      agent.destroy();
    }
  });
});
