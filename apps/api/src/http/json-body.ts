import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { assertSafeInput } from '../common/validation';

/** application/json and any application/<x>+json, with or without parameters. */
export const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

/** Largest JSON body the API reads (as Express' body parser did by default): 100 KiB, then 413. */
export const JSON_BODY_LIMIT = 100 * 1024;

/** Route config flag (set with `@AcceptsMultipart()`): this route takes multipart/form-data too. */
export const MULTIPART_ROUTE = 'botfleet.multipart';

/** A request with a raw body kept by the JSON parser (for signature checks): `req.rawBody`. */
export type WithRawBody = { rawBody?: Buffer };

/**
 * A request that carries a body must say it is JSON: any other type (text/plain, a form) used to
 * reach the handler as an empty object and could apply as "no fields given". 415 before any
 * parsing; a request without a body (Content-Length 0 or absent, not chunked) passes. Routes marked
 * with `@AcceptsMultipart()` take multipart/form-data as well. A Fastify `onRequest` hook.
 */
export function requireJsonBodies(req: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const length = Number(req.headers['content-length'] ?? 0);
  const hasBody = length > 0 || req.headers['transfer-encoding'] !== undefined;
  const type = req.headers['content-type'] ?? '';
  if (!hasBody || JSON_TYPE.test(type)) return done();
  const config = req.routeOptions?.config as unknown as Record<string, unknown> | undefined;
  if (config?.[MULTIPART_ROUTE] === true && /^multipart\/form-data\s*;/i.test(type)) return done();
  void reply.code(415).send({
    error: {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: config?.[MULTIPART_ROUTE]
        ? 'Request bodies must be JSON (Content-Type: application/json) or multipart/form-data'
        : 'Request bodies must be JSON (Content-Type: application/json)',
    },
  });
}

/**
 * Why a body Fastify's parser refused is refused: a prototype-poisoning key (`__proto__`, which Fastify refuses
 * before any validation) is a 400 naming that key, as every other forbidden key is (assertSafeInput, on a plain
 * JSON.parse that only defines own properties and is looked at, never used); anything else is not valid JSON.
 */
function refusal(text: string): Error {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return new BadRequestException('Body is not valid JSON');
  }
  try {
    assertSafeInput(value, '');
  } catch (e) {
    return e as Error;
  }
  return new BadRequestException('Body is not valid JSON');
}

/**
 * The one JSON parser: keeps the raw bytes on `req.rawBody` (webhook signatures are computed over them), reads
 * an empty body as `{}` and, like Express' strict parser, only an object or an array at the top; anything else
 * is 400 "Body is not valid JSON". Prototype-poisoning keys are refused by Fastify's own parser, as a 400 naming
 * the key (`refusal`).
 */
export function registerJsonParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser(['application/json']);
  const parser = (req: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
    (req as FastifyRequest & WithRawBody).rawBody = body;
    if (body.length === 0) return done(null, {});
    const first = /\S/.exec(body.toString('utf8', 0, Math.min(body.length, 64)))?.[0];
    if (first !== '{' && first !== '[') return done(new BadRequestException('Body is not valid JSON'));
    const text = body.toString('utf8');
    parse(req, text, (err, value) => (err ? done(refusal(text)) : done(null, value)));
  };
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: JSON_BODY_LIMIT }, parser);
  fastify.addContentTypeParser(
    /^application\/[a-z0-9.+-]*\+json$/i,
    { parseAs: 'buffer', bodyLimit: JSON_BODY_LIMIT },
    parser,
  );
}
