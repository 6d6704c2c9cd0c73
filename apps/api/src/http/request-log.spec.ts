import pino from 'pino';
import { Writable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { logRequest } from './fastify-http';

function loggerAt(level: string) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { log: pino({ level }, stream), lines };
}

const req = (url: string) => ({ id: 'req-7', method: 'GET', url }) as unknown as FastifyRequest;
const reply = (statusCode: number) => ({ statusCode, elapsedTime: 4.4 }) as unknown as FastifyReply;

describe('the request log line', () => {
  it('at LOG_LEVEL=warn a success writes nothing, a 4xx a warning, a 5xx an error', () => {
    const { log, lines } = loggerAt('warn');
    logRequest(log, req('/v1/bots/x/plans'), reply(200));
    expect(lines).toEqual([]);
    logRequest(log, req('/v1/bots/x/plans'), reply(404));
    logRequest(log, req('/v1/bots/x/plans'), reply(503));
    expect(lines.map((l) => (JSON.parse(l) as { level: number }).level)).toEqual([40, 50]);
  });

  it('at info a success is written with its id, method, URL, status and time; a probe only when it fails', () => {
    const { log, lines } = loggerAt('info');
    logRequest(log, req('/v1/bots/x/plans?page=1'), reply(200));
    logRequest(log, req('/health/ready'), reply(200));
    logRequest(log, req('/metrics'), reply(200));
    logRequest(log, req('/health/ready'), reply(503));
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { id: 'req-7', method: 'GET', url: '/v1/bots/x/plans?page=1' },
      res: { statusCode: 200 },
      responseTime: 4,
    });
    expect(parsed[1]).toMatchObject({ level: 50, req: { url: '/health/ready' }, res: { statusCode: 503 } });
  });
});
