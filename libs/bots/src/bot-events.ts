import Redis from 'ioredis';

/** What changed about a bot; the worker's supervisor starts, reloads or stops it within 2 s. */
export type BotEventType =
  | 'created'
  | 'changed'
  | 'paused'
  | 'resumed'
  | 'suspended'
  | 'deleted'
  | 'token_replaced'
  | 'token_invalid'
  | 'api_token_rotated';

export interface BotEvent {
  botId: string;
  type: BotEventType;
  at: string;
}

export const botEventsChannel = (prefix: string) => `${prefix}:bot-events`;

/** Publishes a bot change over Redis pub/sub (never with a token in it). */
export async function publishBotEvent(redis: Redis, prefix: string, botId: string, type: BotEventType): Promise<void> {
  const event: BotEvent = { botId, type, at: new Date().toISOString() };
  await redis.publish(botEventsChannel(prefix), JSON.stringify(event));
}

export function parseBotEvent(message: string): BotEvent | null {
  try {
    const e = JSON.parse(message) as Partial<BotEvent>;
    return typeof e.botId === 'string' && typeof e.type === 'string' ? (e as BotEvent) : null;
  } catch {
    return null;
  }
}
