import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import { BotApiError, badRequest } from './bot-api-error';
import { isRecord, type Params, type UploadedFile } from './params';

export interface BodyLimits {
  /** Largest JSON or form body accepted. */
  maxBodyBytes: number;
  /** Largest single uploaded file (Telegram's own bot upload limit is 50 MB). */
  maxFileBytes: number;
}

const tooLarge = (): BotApiError => new BotApiError(413, 'Request Entity Too Large');

export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(tooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function assignSearchParams(target: Record<string, unknown>, search: string): void {
  for (const [key, value] of new URLSearchParams(search)) target[key] = value;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * Collects method parameters from the query string and the body, whichever encoding the client chose.
 * Body fields win over query fields, as in Telegram.
 */
export async function readParams(req: IncomingMessage, query: string, limits: BodyLimits): Promise<Params> {
  const params: Params = { values: {}, files: new Map() };
  if (query) assignSearchParams(params.values, query);
  if (!hasBody(req)) return params;
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('multipart/form-data')) {
    await readMultipart(req, params, limits);
    return params;
  }
  const body = await readBody(req, limits.maxBodyBytes);
  if (body.length === 0) return params;
  if (contentType.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest("can't parse JSON body");
    }
    if (!isRecord(parsed)) throw badRequest('JSON body must be an object');
    if (query) Object.assign(params.values, parsed);
    else params.values = parsed;
  } else if (contentType.startsWith('application/x-www-form-urlencoded')) {
    assignSearchParams(params.values, body.toString('utf8'));
  }
  return params;
}

function readMultipart(req: IncomingMessage, params: Params, limits: BodyLimits): Promise<void> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fileSize: limits.maxFileBytes, fieldSize: limits.maxBodyBytes },
      });
    } catch {
      reject(badRequest('invalid multipart/form-data body'));
      return;
    }
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      req.resume();
      reject(error);
    };
    parser.on('field', (name, value) => {
      params.values[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(tooLarge()));
      stream.on('end', () => {
        const file: UploadedFile = {
          fieldName: name,
          fileName: info.filename ?? name,
          mimeType: info.mimeType,
          bytes: Buffer.concat(chunks),
        };
        params.files.set(name, file);
      });
    });
    parser.on('error', () => fail(badRequest('invalid multipart/form-data body')));
    parser.on('close', () => {
      if (!failed) resolve();
    });
    req.pipe(parser);
  });
}
