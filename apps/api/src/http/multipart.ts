import { HttpException, HttpStatus } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { DomainError, ErrorCode } from '@botfleet/common';
import { MULTIPART_ROUTE } from './json-body';

/** Marks a route that takes multipart/form-data (an upload) as well as JSON; read it with `readUpload`. */
export const AcceptsMultipart = () => RouteConfig({ [MULTIPART_ROUTE]: true });

/** Hard ceilings of @fastify/multipart for every route; `readUpload` narrows them per call. */
export const MULTIPART_LIMITS = { fileSize: 10 * 1024 * 1024, files: 1, fields: 20, fieldSize: 4096, parts: 21 };

export interface Upload {
  /** The form field that carried the file. */
  fieldname: string;
  filename: string;
  mimetype: string;
  data: Buffer;
  /** The text fields sent before the file part. */
  fields: Record<string, string>;
}

/**
 * The one file of a multipart request (a receipt photo), read into memory with at most `maxBytes`. Refusals:
 * not multipart or no file → 400 VALIDATION_FAILED naming `field`; a type outside `mimeTypes` → 400; larger
 * than `maxBytes` → 413 PAYLOAD_TOO_LARGE. Nothing is stored on disk.
 */
export async function readUpload(
  req: FastifyRequest,
  opts: { field: string; maxBytes: number; mimeTypes: readonly string[] },
): Promise<Upload> {
  const invalid = (why: string) =>
    new DomainError(ErrorCode.VALIDATION_FAILED, `Invalid request: ${opts.field}`, [
      { field: opts.field, errors: [why] },
    ]);
  if (!req.isMultipart()) throw invalid(`${opts.field} must be sent as multipart/form-data`);
  let part;
  try {
    part = await req.file({
      limits: { ...MULTIPART_LIMITS, fileSize: Math.min(opts.maxBytes, MULTIPART_LIMITS.fileSize) },
    });
  } catch (err) {
    throw multipartError(err) ?? err;
  }
  if (!part || part.fieldname !== opts.field) throw invalid(`${opts.field} must be a file`);
  if (!opts.mimeTypes.includes(part.mimetype))
    throw invalid(`${opts.field} must be one of ${opts.mimeTypes.join(', ')}`);
  let data: Buffer;
  try {
    data = await part.toBuffer();
  } catch (err) {
    throw multipartError(err) ?? err;
  }
  if (data.length === 0) throw invalid(`${opts.field} is empty`);
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(part.fields)) {
    if (value && !Array.isArray(value) && value.type === 'field' && typeof value.value === 'string') {
      fields[name] = value.value;
    }
  }
  return { fieldname: part.fieldname, filename: part.filename, mimetype: part.mimetype, data, fields };
}

/** @fastify/multipart's refusals (too large, too many parts, malformed) as our errors; null for anything else. */
function multipartError(err: unknown): Error | null {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('FST_')) return null;
  if (code === 'FST_REQ_FILE_TOO_LARGE')
    return new HttpException('The file is too large', HttpStatus.PAYLOAD_TOO_LARGE);
  return new DomainError(ErrorCode.VALIDATION_FAILED, 'Invalid request: malformed multipart body');
}
