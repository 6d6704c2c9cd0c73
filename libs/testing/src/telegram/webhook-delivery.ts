import * as http from 'node:http';
import * as https from 'node:https';
import { nowSeconds, type BotState, type EmulatorCore, type WebhookState } from './emulator-core';
import { isRecord } from './params';

type Outcome = { ok: true; reply: Record<string, unknown> | undefined } | { ok: false; error: string };

/** Replies larger than this are not read as a webhook reply method call. */
const MAX_REPLY_BYTES = 1024 * 1024;

/**
 * Pushes a bot's queued updates to its webhook: one POST at a time per bot, in order, each removed
 * from the queue only after a 2xx; failures are retried with exponential backoff, as Telegram does.
 * A 2xx body carrying `{ method, ...params }` is executed as a Bot API call (the "webhook reply"
 * Telegraf uses for answerCallbackQuery and friends).
 */
export class WebhookDelivery {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
  private closed = false;
  private readonly sleeping = new Set<NodeJS.Timeout>();

  constructor(
    private readonly core: EmulatorCore,
    private readonly executeReply: (bot: BotState, call: Record<string, unknown>) => void,
  ) {}

  /** Starts delivering if the bot has a webhook, pending updates and no delivery running. */
  kick(bot: BotState): void {
    if (this.closed || bot.webhookLoopRunning || !bot.webhook || bot.queue.size === 0) return;
    bot.webhookLoopRunning = true;
    void this.run(bot).finally(() => {
      bot.webhookLoopRunning = false;
      // Work may have arrived while the loop was finishing.
      this.kick(bot);
    });
  }

  close(): void {
    this.closed = true;
    for (const timer of this.sleeping) clearTimeout(timer);
    this.sleeping.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async run(bot: BotState): Promise<void> {
    let backoff = this.core.settings.webhookMinBackoffMs;
    while (!this.closed) {
      const hook = bot.webhook;
      const entry = bot.queue.peek();
      if (!hook || !entry || !this.core.botsById.has(bot.id)) return;
      this.core.handOut(bot, [entry], Date.now());
      const outcome = await this.post(hook, entry.json);
      if (outcome.ok) {
        // The queue may have been dropped meanwhile (deleteWebhook with drop_pending_updates).
        if (bot.queue.peek() === entry) bot.queue.shift();
        hook.deliveries++;
        this.core.counters.webhookDeliveries++;
        backoff = this.core.settings.webhookMinBackoffMs;
        if (outcome.reply) this.executeReply(bot, outcome.reply);
        this.core.notify(bot);
        continue;
      }
      hook.failures++;
      hook.lastErrorDate = nowSeconds(Date.now());
      hook.lastErrorMessage = outcome.error;
      await this.sleep(backoff);
      backoff = Math.min(backoff * 2, this.core.settings.webhookMaxBackoffMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeping.delete(timer);
        resolve();
      }, ms);
      this.sleeping.add(timer);
    });
  }

  private post(hook: WebhookState, json: string): Promise<Outcome> {
    return new Promise((resolve) => {
      const secure = hook.url.protocol === 'https:';
      const headers: http.OutgoingHttpHeaders = {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(json),
      };
      if (hook.secretToken) headers['X-Telegram-Bot-Api-Secret-Token'] = hook.secretToken;
      const options: https.RequestOptions = {
        method: 'POST',
        hostname: hook.url.hostname.replace(/^\[|\]$/g, ''),
        port: hook.url.port || (secure ? 443 : 80),
        path: hook.url.pathname + hook.url.search,
        headers,
        agent: secure ? this.httpsAgent : this.httpAgent,
      };
      let settled = false;
      const finish = (outcome: Outcome): void => {
        if (settled) return;
        settled = true;
        resolve(outcome);
      };
      const request = (secure ? https : http).request(options, (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_REPLY_BYTES) chunks.push(chunk);
        });
        response.on('error', (error) => finish({ ok: false, error: describeError(error) }));
        response.on('end', () => {
          if (status < 200 || status >= 300) {
            finish({
              ok: false,
              error: `Wrong response from the webhook: ${status} ${response.statusMessage ?? ''}`.trim(),
            });
            return;
          }
          finish({ ok: true, reply: parseReply(response.headers['content-type'], chunks, size) });
        });
      });
      request.setTimeout(this.core.settings.webhookTimeoutMs, () => {
        request.destroy(Object.assign(new Error('Read timeout expired'), { code: 'ETIMEDOUT' }));
      });
      request.on('error', (error) => finish({ ok: false, error: describeError(error) }));
      request.end(json);
    });
  }
}

function parseReply(
  contentType: string | undefined,
  chunks: Buffer[],
  size: number,
): Record<string, unknown> | undefined {
  if (size === 0 || size > MAX_REPLY_BYTES || !contentType?.includes('application/json')) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return isRecord(parsed) && typeof parsed.method === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function describeError(error: Error & { code?: string }): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'Connection refused';
    case 'ETIMEDOUT':
      return 'Read timeout expired';
    case 'ENOTFOUND':
      return 'Failed to resolve host: Name or service not known';
    case 'ECONNRESET':
      return 'Connection reset by peer';
    default:
      return error.message;
  }
}
