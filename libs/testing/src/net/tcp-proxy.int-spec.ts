import Redis from 'ioredis';
import { connect } from 'node:net';
import { Client } from 'pg';
import { testRedisUrl } from '../apps/test-env';
import { TcpProxy } from './tcp-proxy';

import { adminUrl } from '../db/test-database';

describe('TcpProxy (in front of the real Redis and PostgreSQL)', () => {
  let proxy: TcpProxy;
  let redis: Redis;

  beforeEach(async () => {
    proxy = await TcpProxy.forUrl(testRedisUrl()).start();
    redis = new Redis(proxy.url(testRedisUrl()), {
      maxRetriesPerRequest: 0,
      retryStrategy: () => 50,
      enableOfflineQueue: true,
    });
    await redis.ping();
  });
  afterEach(async () => {
    redis.disconnect();
    await proxy.stop();
  });

  it('forwards while up', async () => {
    expect(await redis.ping()).toBe('PONG');
    expect(proxy.connections).toBe(1);
  });

  it('pause holds every byte (a command hangs) and resume delivers them', async () => {
    proxy.pause();
    let answered = false;
    const reply = redis.echo('held').then((v) => ((answered = true), v));
    await new Promise((r) => setTimeout(r, 300));
    expect(answered).toBe(false);
    proxy.resume();
    await expect(reply).resolves.toBe('held');
  });

  it('pause accepts new connections but forwards nothing', async () => {
    proxy.pause();
    const socket = connect({ host: '127.0.0.1', port: proxy.port });
    await new Promise((r) => socket.once('connect', r));
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    socket.write('PING\r\n');
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(0);
    proxy.resume();
    await new Promise((r) => setTimeout(r, 200));
    expect(Buffer.concat(received).toString()).toBe('+PONG\r\n');
    socket.destroy();
  });

  it('drop resets every connection and refuses new ones; resume lets them back', async () => {
    const closed = new Promise((r) => redis.once('close', r));
    proxy.drop();
    await closed;
    expect(proxy.connections).toBe(0);
    await expect(redis.ping()).rejects.toThrow();
    proxy.resume();
    await new Promise((r) => setTimeout(r, 200));
    expect(await redis.ping()).toBe('PONG');
  });

  it('works in front of PostgreSQL', async () => {
    const url = adminUrl();
    const pgProxy = await TcpProxy.forUrl(url).start();
    try {
      const client = new Client({ connectionString: pgProxy.url(url) });
      client.on('error', () => undefined);
      await client.connect();
      expect((await client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
      pgProxy.pause();
      const q = client.query('SELECT 2 AS two');
      let done = false;
      void q.then(() => (done = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false);
      pgProxy.resume();
      expect((await q).rows[0].two).toBe(2);
      pgProxy.drop();
      await expect(client.query('SELECT 3')).rejects.toThrow();
      await client.end().catch(() => undefined);
    } finally {
      await pgProxy.stop();
    }
  });
});
