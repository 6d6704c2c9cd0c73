import type { NextFunction, Request, Response } from 'express';

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

/**
 * A request that carries a body must say it is JSON: any other type (text/plain, a form) used to
 * reach the handler as an empty object and could apply as "no fields given". 415 before any
 * parsing; a request without a body (Content-Length 0 or absent, not chunked) passes.
 */
export function requireJsonBodies(req: Request, res: Response, next: NextFunction): void {
  const length = Number(req.headers['content-length'] ?? 0);
  const hasBody = length > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody || JSON_TYPE.test(req.headers['content-type'] ?? '')) return next();
  res.status(415).json({
    error: {
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'Request bodies must be JSON (Content-Type: application/json)',
    },
  });
}
