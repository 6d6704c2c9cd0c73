import type Redis from 'ioredis';

/**
 * Short-lived JSON values of a conversation in Redis (what a person is typing, drafts waiting for a confirm
 * button), under `<prefix>:<parts…>`, each with its own expiry. A value that is missing, expired or not JSON
 * reads as `null`: the conversation simply starts over. Nothing stored here is authority.
 */
export class ConversationStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  key(...parts: (string | number)[]): string {
    return [this.prefix, ...parts].join(':');
  }

  async read<T>(key: string): Promise<T | null> {
    const raw = await this.redis.get(key);
    if (!raw) return null;
    try {
      return JSON.parse(raw) as T;
    } catch {
      return null;
    }
  }

  async write(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    await this.redis.set(key, JSON.stringify(value), 'EX', ttlSeconds);
  }

  async remove(key: string): Promise<void> {
    await this.redis.del(key);
  }
}
