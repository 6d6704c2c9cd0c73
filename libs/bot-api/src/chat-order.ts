import type Redis from 'ioredis';
import { serialKeyOf, type UpdateLike } from './update-keys';

/** Pending webhook updates of one chat are remembered this long (Telegram keeps updates 24 h). */
const KEY_TTL_MS = 24 * 3600 * 1000;
const POLL_MS = 15;

/**
 * Per-chat order for webhook updates across worker processes. Within one worker the chat's serial
 * queue keeps order; but BullMQ hands consecutive jobs to different workers, which could then run a
 * chat's second update before its first. So the API notes each update's id in a per-chat sorted set
 * before queueing it, and a worker starts an update only when no smaller id of that chat is still pending
 * (or after `maxWaitMs`, so a lost or long-failing predecessor delays its successors but never blocks them).
 */
export class ChatOrder {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  key(botId: string, update: UpdateLike): string {
    return `${this.prefix}:chat-order:${botId}:${serialKeyOf(update)}`;
  }

  /** API side, before the job is queued. */
  async pending(botId: string, update: UpdateLike): Promise<void> {
    const key = this.key(botId, update);
    await this.redis.multi().zadd(key, update.update_id, String(update.update_id)).pexpire(key, KEY_TTL_MS).exec();
  }

  /** Worker side: resolves when this update is the oldest pending one of its chat (or the wait is over). */
  async waitTurn(botId: string, update: UpdateLike, maxWaitMs: number): Promise<void> {
    const key = this.key(botId, update);
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const [first] = await this.redis.zrange(key, 0, 0, 'WITHSCORES').then((r) => r.slice(1, 2).map(Number));
      if (first === undefined || first >= update.update_id) return;
      if (Date.now() >= deadline) {
        // Predecessors that never came (lost before queueing, or failing for good): stop waiting for them.
        await this.redis.zremrangebyscore(key, '-inf', `(${update.update_id}`);
        return;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Worker side, once the update is handled (or skipped as a duplicate). */
  async done(botId: string, update: UpdateLike): Promise<void> {
    await this.redis.zrem(this.key(botId, update), String(update.update_id));
  }
}
