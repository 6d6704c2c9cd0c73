import { badRequest } from './bot-api-error';

/** A file part of a multipart request, kept in memory (uploads in tests are small). */
export interface UploadedFile {
  fieldName: string;
  fileName: string;
  mimeType: string;
  bytes: Buffer;
}

/**
 * Method parameters as they arrived. Query string, form and multipart fields are strings; JSON
 * bodies keep their types. The readers below accept both, as Telegram does.
 */
export interface Params {
  values: Record<string, unknown>;
  files: Map<string, UploadedFile>;
}

export const emptyParams = (): Params => ({ values: {}, files: new Map() });

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const present = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

export function has(params: Params, name: string): boolean {
  return present(params.values[name]) || params.files.has(name);
}

export function optString(params: Params, name: string): string | undefined {
  const value = params.values[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw badRequest(`field "${name}" must be of type String`);
}

export function reqString(params: Params, name: string, emptyReason = `${name} is empty`): string {
  const value = optString(params, name);
  if (value === undefined || value === '') throw badRequest(emptyReason);
  return value;
}

export function optInt(params: Params, name: string): number | undefined {
  const value = params.values[name];
  if (!present(value)) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) {
    const parsed = Number(value.trim());
    if (Number.isSafeInteger(parsed)) return parsed;
  }
  throw badRequest(`invalid ${name} specified`);
}

export function reqInt(params: Params, name: string): number {
  const value = optInt(params, name);
  if (value === undefined) throw badRequest(`${name} is empty`);
  return value;
}

export function optBool(params: Params, name: string): boolean | undefined {
  const value = params.values[name];
  if (!present(value)) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1' || value === 1) return true;
  if (value === 'false' || value === '0' || value === 0) return false;
  throw badRequest(`invalid ${name} specified`);
}

/**
 * Structured parameters (reply_markup, prices, allowed_updates...) come as JSON strings in forms and
 * multipart bodies, and as values in JSON bodies.
 */
export function optJson(params: Params, name: string, parseFailure = `can't parse ${name} JSON object`): unknown {
  const value = params.values[name];
  if (!present(value)) return undefined;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw badRequest(parseFailure);
  }
}

/** A chat id: numeric, or an @username we cannot resolve (Telegram answers "chat not found" for unknown ones). */
export function reqChatId(params: Params, name = 'chat_id'): number {
  const value = params.values[name];
  if (!present(value)) throw badRequest(`${name} is empty`);
  if (typeof value === 'string' && value.startsWith('@')) throw badRequest('chat not found');
  return reqInt(params, name);
}
