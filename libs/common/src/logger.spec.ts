import pino from 'pino';
import pinoPretty from 'pino-pretty';
import { Writable } from 'node:stream';
import { pinoParams, PRETTY_LOG_OPTIONS } from './logger';

/** Collects what a logger writes, line by line. */
function sink(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { stream, lines };
}

type HttpOptions = pino.LoggerOptions & { transport?: { target: string; options: object } };
const optionsOf = (pretty: boolean) => pinoParams('info', 'api', pretty).pinoHttp as HttpOptions;
const TOKEN = '123456789:AAFakeTokenForTestsOnly_abcdefghijklmno';

describe('logs: JSON in production and tests, pino-pretty in development', () => {
  it('production/test: no transport, every line is JSON with the app name, a token scrubbed', () => {
    const { transport, ...options } = optionsOf(false);
    expect(transport).toBeUndefined();
    const out = sink();
    pino(options, out.stream).info({ bot: { token: TOKEN } }, `sent with ${TOKEN}`);
    const line = JSON.parse(out.lines[0]) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, app: 'api', bot: { token: '[redacted]' } });
    expect(out.lines[0]).not.toContain('AAFakeTokenForTestsOnly');
  });

  it('development: written through pino-pretty — one readable line, same redaction and scrubbing', () => {
    const { transport, ...options } = optionsOf(true);
    expect(transport).toEqual({ target: 'pino-pretty', options: PRETTY_LOG_OPTIONS });
    // The transport runs pino-pretty in a worker thread; here the same options on a stream in this thread.
    const out = sink();
    const pretty = pinoPretty({ ...PRETTY_LOG_OPTIONS, colorize: false, destination: out.stream, sync: true });
    pino(options, pretty).info({ bot: { token: TOKEN } }, `sent with ${TOKEN}`);
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: sent with /);
    expect(() => JSON.parse(out.lines[0])).toThrow();
    expect(out.lines[0]).toContain('"app":"api"');
    expect(out.lines[0]).not.toContain('AAFakeTokenForTestsOnly');
    expect(out.lines[0]).not.toMatch(/pid|hostname/);
  });
});
