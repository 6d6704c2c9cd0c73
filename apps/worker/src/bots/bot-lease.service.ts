import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import Redis from 'ioredis';
import { REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { LuaScript } from './lua-script';

/** A worker's claim on one bot: only the holder polls its token (or sets its webhook). */
export interface Lease {
  botId: string;
  /** `${workerId}:${fence}`: what renewals and releases compare against. */
  value: string;
  /** Increases with every acquisition of this bot, by anyone: the fencing token. */
  fence: number;
  /** The previous holder never released it: it died or was cut off. */
  takeover: boolean;
}

const CHUNK = 500;
/** How long the "last holder" marker lives (only used to tell takeovers from handovers). */
const OWNER_TTL_MS = 7 * 24 * 3600 * 1000;

/** KEYS: (lease, owner, fence) per bot. ARGV: workerId, ttlMs, max, ownerTtlMs. → flat [index, fence, takeover]... */
const ACQUIRE = new LuaScript(`
local acquired = {}
local n = 0
local max = tonumber(ARGV[3])
for i = 1, #KEYS, 3 do
  if n >= max then break end
  if redis.call('EXISTS', KEYS[i]) == 0 then
    local fence = redis.call('INCR', KEYS[i + 2])
    redis.call('PEXPIRE', KEYS[i + 2], ARGV[4])
    redis.call('SET', KEYS[i], ARGV[1] .. ':' .. fence, 'PX', ARGV[2])
    local prev = redis.call('GET', KEYS[i + 1])
    redis.call('SET', KEYS[i + 1], ARGV[1], 'PX', ARGV[4])
    local takeover = 0
    if prev and prev ~= ARGV[1] then takeover = 1 end
    table.insert(acquired, (i + 2) / 3)
    table.insert(acquired, fence)
    table.insert(acquired, takeover)
    n = n + 1
  end
end
return acquired`);

/** KEYS: lease keys. ARGV: ttlMs, then the expected value of each. → 1 (renewed) / 0 (lost) each. */
const RENEW = new LuaScript(`
local out = {}
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[i + 1] then
    redis.call('PEXPIRE', KEYS[i], ARGV[1])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out`);

/** KEYS: (lease, owner) per bot. ARGV: workerId, then each lease value. Deletes only what is still ours. */
const RELEASE = new LuaScript(`
for i = 1, #KEYS, 2 do
  if redis.call('GET', KEYS[i]) == ARGV[(i + 1) / 2 + 1] then redis.call('DEL', KEYS[i]) end
  if redis.call('GET', KEYS[i + 1]) == ARGV[1] then redis.call('DEL', KEYS[i + 1]) end
end
return 1`);

/** KEYS: the workers sorted set. ARGV: workerId, liveWindowMs. Uses Redis' clock, so workers' clocks may differ. */
const HEARTBEAT = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 10 * window)
return redis.call('ZCOUNT', KEYS[1], now - window, '+inf')`);

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Leases in Redis (RELIABILITY.md 12): `SET NX PX` through a script that also bumps a per-bot fence and
 * remembers the holder, compare-and-renew of all of a worker's leases in one script call per few
 * hundred bots, compare-and-delete on release. A lease not renewed within BOT_LEASE_TTL_MS expires and
 * another worker takes the bot. Workers also keep a heartbeat, so each knows how many are alive and takes
 * only its fair share.
 */
@Injectable()
export class BotLeaseService {
  readonly workerId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly ttlMs: number;
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    config: AppConfig,
  ) {
    this.prefix = config.REDIS_PREFIX;
    this.ttlMs = config.BOT_LEASE_TTL_MS;
  }

  leaseKey(botId: string): string {
    return `${this.prefix}:bot-lease:${botId}`;
  }

  private ownerKey(botId: string): string {
    return `${this.prefix}:bot-lease-owner:${botId}`;
  }

  private fenceKey(botId: string): string {
    return `${this.prefix}:bot-lease-fence:${botId}`;
  }

  private get workersKey(): string {
    return `${this.prefix}:workers`;
  }

  /** Bots among `botIds` that nobody holds right now (a cheap read before trying to acquire). */
  async unheld(botIds: string[]): Promise<string[]> {
    const free: string[] = [];
    for (const part of chunks(botIds)) {
      const values = await this.redis.mget(...part.map((id) => this.leaseKey(id)));
      values.forEach((v, i) => v === null && free.push(part[i]));
    }
    return free;
  }

  /** Takes up to `max` of the free bots among `botIds`, in order. */
  async acquire(botIds: string[], max: number): Promise<Lease[]> {
    const out: Lease[] = [];
    for (const part of chunks(botIds)) {
      if (out.length >= max) break;
      const keys = part.flatMap((id) => [this.leaseKey(id), this.ownerKey(id), this.fenceKey(id)]);
      const flat = (await ACQUIRE.run(this.redis, keys, [
        this.workerId,
        this.ttlMs,
        max - out.length,
        OWNER_TTL_MS,
      ])) as number[];
      for (let i = 0; i < flat.length; i += 3) {
        const botId = part[flat[i] - 1];
        out.push({ botId, fence: flat[i + 1], value: `${this.workerId}:${flat[i + 1]}`, takeover: flat[i + 2] === 1 });
      }
    }
    return out;
  }

  /** Renews every lease that is still ours; returns the ones that are not (expired, or someone else's now). */
  async renew(leases: Lease[]): Promise<Lease[]> {
    const lost: Lease[] = [];
    for (const part of chunks(leases)) {
      const flags = (await RENEW.run(
        this.redis,
        part.map((l) => this.leaseKey(l.botId)),
        [this.ttlMs, ...part.map((l) => l.value)],
      )) as number[];
      flags.forEach((ok, i) => ok !== 1 && lost.push(part[i]));
    }
    return lost;
  }

  async release(leases: Lease[]): Promise<void> {
    for (const part of chunks(leases)) {
      await RELEASE.run(
        this.redis,
        part.flatMap((l) => [this.leaseKey(l.botId), this.ownerKey(l.botId)]),
        [this.workerId, ...part.map((l) => l.value)],
      );
    }
  }

  /** Records that this worker is alive; returns how many workers are (this one included). */
  async heartbeat(): Promise<number> {
    const live = (await HEARTBEAT.run(this.redis, [this.workersKey], [this.workerId, this.ttlMs])) as number;
    return Math.max(1, live);
  }

  /** Leaves the set of live workers (graceful shutdown), so the others' fair share grows at once. */
  async leave(): Promise<void> {
    await this.redis.zrem(this.workersKey, this.workerId);
  }
}
