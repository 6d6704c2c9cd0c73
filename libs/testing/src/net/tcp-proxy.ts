import { createConnection, createServer, Server, Socket } from 'node:net';

export type TcpProxyMode = 'up' | 'paused' | 'dropped';

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Bytes held while paused, in order, with the socket each is for. */
  held: { to: Socket; chunk: Buffer }[];
}

/**
 * A TCP proxy on a free loopback port in front of Redis or PostgreSQL: an outage a test can switch on
 * and off without touching the machine's shared servers. Point an app at `url(...)` (REDIS_URL,
 * DATABASE_URL) and then:
 *  - `drop()`: every connection is reset and new ones are refused at once (the server is gone);
 *  - `pause()`: connections stay open and new ones are accepted, but nothing is forwarded either way
 *    (the server hangs — the case that made requests wait forever);
 *  - `resume()`: back to normal; bytes held while paused are delivered.
 */
export class TcpProxy {
  private server?: Server;
  private readonly pairs = new Set<Pair>();
  private mode: TcpProxyMode = 'up';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** A proxy in front of the server of `url` (redis://, postgres://). */
  static forUrl(url: string): TcpProxy {
    const u = new URL(url);
    const fallback = u.protocol.startsWith('redis') ? 6379 : 5432;
    return new TcpProxy(u.hostname || '127.0.0.1', Number(u.port) || fallback);
  }

  get state(): TcpProxyMode {
    return this.mode;
  }

  async start(): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    return this;
  }

  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  drop(): void {
    this.mode = 'dropped';
    for (const p of this.pairs) {
      p.client.resetAndDestroy();
      p.upstream.destroy();
    }
    this.pairs.clear();
  }

  pause(): void {
    this.mode = 'paused';
  }

  resume(): void {
    this.mode = 'up';
    for (const p of this.pairs) {
      for (const { to, chunk } of p.held.splice(0)) if (!to.destroyed) to.write(chunk);
    }
  }

  /** Open connections through the proxy (for tests of the proxy itself). */
  get connections(): number {
    return this.pairs.size;
  }

  async stop(): Promise<void> {
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode === 'dropped') {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
    const pair: Pair = { client, upstream, held: [] };
    this.pairs.add(pair);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    const forward = (to: Socket) => (chunk: Buffer) => {
      // resume() flushes what was held synchronously, so order is kept.
      if (this.mode !== 'up') pair.held.push({ to, chunk });
      else if (!to.destroyed) to.write(chunk);
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
  }
}
