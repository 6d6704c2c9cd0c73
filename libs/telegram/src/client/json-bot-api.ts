import * as http from 'node:http';
import * as https from 'node:https';
import { TelegramError } from 'telegraf';

/**
 * Keep-alive agents shared by every bot of the process: thousands of bots talk to one Bot API server,
 * so connections are reused across bots instead of one pool (or one connection per call) each.
 */
const AGENTS = {
  http: new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 512 }),
  https: new https.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 512 }),
};

/** Payloads that upload a file need multipart: those stay with Telegraf's own client. */
export function hasUpload(payload: object): boolean {
  const isFile = (v: unknown): boolean =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    (!!(v as { source?: unknown }).source || typeof (v as { url?: unknown }).url === 'string');
  return Object.entries(payload).some(
    ([key, value]) =>
      key !== 'link_preview_options' &&
      (isFile(value) || (Array.isArray(value) && value.some((m) => isFile((m as { media?: unknown } | null)?.media)))),
  );
}

class RequestTimeout extends Error {
  readonly code = 'ETIMEDOUT';
  constructor() {
    super('Bot API request timed out');
    this.name = 'RequestTimeout';
  }
}

/**
 * One JSON Bot API call over a keep-alive connection: the hot path of every bot (getUpdates, sendMessage,
 * answerCallbackQuery...). Errors are Telegraf's TelegramError (same shape as Telegraf's client throws),
 * or the socket error; neither carries the URL, which holds the token.
 */
export function postJson(
  apiRoot: string,
  token: string,
  method: string,
  payload: object,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<unknown> {
  const url = new URL(`./bot${token}/${method}`, apiRoot.endsWith('/') ? apiRoot : `${apiRoot}/`);
  const secure = url.protocol === 'https:';
  const body = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      {
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (secure ? 443 : 80),
        path: url.pathname,
        method: 'POST',
        agent: secure ? AGENTS.https : AGENTS.http,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 500) {
            reject(
              new TelegramError({ error_code: status, description: res.statusMessage ?? 'Server Error' }, { method }),
            );
            return;
          }
          let data: {
            ok?: boolean;
            result?: unknown;
            error_code?: number;
            description?: string;
            parameters?: { retry_after?: number; migrate_to_chat_id?: number };
          };
          try {
            data = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof data;
          } catch {
            reject(
              new TelegramError({ error_code: status || 502, description: 'Unreadable Bot API answer' }, { method }),
            );
            return;
          }
          if (data.ok) resolve(data.result);
          else
            reject(
              new TelegramError(
                {
                  error_code: data.error_code ?? status,
                  description: data.description ?? 'Bot API error',
                  parameters: data.parameters,
                },
                { method },
              ),
            );
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new RequestTimeout()));
    req.on('error', reject);
    req.end(body);
  });
}
