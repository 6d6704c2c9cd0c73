import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where the console is served, and where `npm run build` (vite) writes it. */
export const CONSOLE_PATH = '/console';
export const CONSOLE_DIST = resolve(process.cwd(), 'dist/console');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

/**
 * The page's rules: scripts and data only from this origin (an injected script cannot call out), Mantine's
 * inline styles allowed, receipt photos from our own signed URLs, never framed (no clickjacking of Approve).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Serves the web console's build under /console: a file of the build when the path names one, else index.html
 * (the console routes in the browser, so /console/bots/… reloads). Built assets carry a content hash and are
 * cached for a year; index.html is never cached, so a deploy reaches everyone at the next load.
 */
export function mountConsole(fastify: FastifyInstance, root: string = CONSOLE_DIST): void {
  const send = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const rel = (req.params as { '*'?: string })['*'] ?? '';
    const file = await fileIn(root, rel);
    securityHeaders(reply);
    if (file) {
      const ext = extname(file);
      reply.header('Content-Type', TYPES[ext] ?? 'application/octet-stream');
      reply.header('Cache-Control', rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      return reply.send(createReadStream(file));
    }
    if (rel.startsWith('assets/') || extname(rel) !== '') {
      return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    }
    const index = await readFile(join(root, 'index.html')).catch(() => null);
    if (!index) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The web console is not built: run `npm run build`, then restart the API.');
    }
    reply.header('Cache-Control', 'no-cache');
    return reply.type(TYPES['.html']).send(index);
  };
  // `/console` itself is the app too (no redirect: the API's router ignores a trailing slash, so a redirect to
  // `/console/` would answer itself forever); its assets are addressed absolutely, under /console/assets.
  fastify.get(CONSOLE_PATH, send);
  fastify.get(`${CONSOLE_PATH}/*`, send);
}

/** The file under `root` that `rel` names, or null (missing, a folder, or a path that climbs out of root). */
async function fileIn(root: string, rel: string): Promise<string | null> {
  if (rel === '' || rel.includes('\0')) return null;
  const path = normalize(join(root, rel));
  if (!path.startsWith(root + sep)) return null;
  const info = await stat(path).catch(() => null);
  return info?.isFile() ? path : null;
}

function securityHeaders(reply: FastifyReply): void {
  reply.header('Content-Security-Policy', CSP);
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('Referrer-Policy', 'no-referrer');
  reply.header('X-Frame-Options', 'DENY');
}
