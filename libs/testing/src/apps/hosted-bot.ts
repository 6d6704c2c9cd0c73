import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { webhookSecretFor } from '@botfleet/bot-api';
import { BotEventType, publishBotEvent } from '@botfleet/bots';
import { SecretBox, TokenHasher } from '@botfleet/secrets';
import { TestEnv, testRedisUrl } from './test-env';

/** A bot as the Telegram emulator registered it (`createBot` answer). */
export interface EmulatedBot {
  id: number;
  token: string;
  username: string;
}

export interface HostedBotOptions {
  name?: string;
  status?: 'active' | 'paused' | 'suspended' | 'token_invalid' | 'deleted';
  ownerTelegramId?: number;
  defaultLanguage?: 'fa' | 'en' | 'ru';
  supportUsername?: string | null;
  isMaster?: boolean;
  /** Publish the `created` bot event (default true), as the API does after registering a bot. */
  publish?: boolean;
}

const platforms = new WeakMap<TestEnv, Promise<DataSource>>();

/** One platform (BYPASSRLS) connection per test environment, closed by `env.cleanup()`. */
export function platformOf(env: TestEnv): Promise<DataSource> {
  let ds = platforms.get(env);
  if (!ds) {
    ds = env.db.platform();
    platforms.set(env, ds);
  }
  return ds;
}

/** Publishes a bot event on the environment's Redis prefix, as the API does. */
export async function publishTestBotEvent(env: TestEnv, botId: string, type: BotEventType): Promise<void> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  try {
    await publishBotEvent(redis, env.redisPrefix, botId, type);
  } finally {
    redis.disconnect();
  }
}

/**
 * Registers an emulator bot on the platform the way onboarding does (token encrypted with the env's
 * ENCRYPTION_KEY and the bot id as associated data, HMAC with TOKEN_HASH_KEY), straight in the database,
 * then announces it with a `created` event. Returns the bot id.
 */
export async function createHostedBot(env: TestEnv, bot: EmulatedBot, opts: HostedBotOptions = {}): Promise<string> {
  const ds = await platformOf(env);
  const id = randomUUID();
  const box = new SecretBox(env.vars.ENCRYPTION_KEY);
  const hasher = new TokenHasher(env.vars.TOKEN_HASH_KEY);
  await ds.query(
    `INSERT INTO bots (id, name, status, is_master, telegram_bot_id, telegram_username, telegram_token_ciphertext,
                       telegram_token_key_version, telegram_token_hash, owner_telegram_id, default_language,
                       support_username, webhook_secret_salt, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'test')`,
    [
      id,
      opts.name ?? `Shop ${bot.username}`,
      opts.status ?? 'active',
      opts.isMaster ?? false,
      bot.id,
      bot.username,
      box.encrypt(bot.token, id),
      box.currentVersion,
      hasher.hmac(bot.token),
      opts.ownerTelegramId ?? 700_000 + Math.floor(Math.random() * 1e6),
      opts.defaultLanguage ?? 'en',
      opts.supportUsername ?? null,
      randomBytes(12).toString('hex'),
    ],
  );
  if (opts.publish ?? true) await publishTestBotEvent(env, id, 'created');
  return id;
}

/**
 * Registers many emulator bots at once (one INSERT), for benchmarks; no events (the worker's reconcile
 * or boot finds them). Returns the bot ids in the same order.
 */
export async function insertHostedBots(
  env: TestEnv,
  bots: EmulatedBot[],
  opts: Pick<HostedBotOptions, 'status' | 'defaultLanguage'> = {},
): Promise<string[]> {
  const ds = await platformOf(env);
  const box = new SecretBox(env.vars.ENCRYPTION_KEY);
  const hasher = new TokenHasher(env.vars.TOKEN_HASH_KEY);
  const ids = bots.map(() => randomUUID());
  for (let i = 0; i < bots.length; i += 2_000) {
    const part = bots.slice(i, i + 2_000);
    const partIds = ids.slice(i, i + 2_000);
    await ds.query(
      `INSERT INTO bots (id, name, status, telegram_bot_id, telegram_username, telegram_token_ciphertext,
                         telegram_token_key_version, telegram_token_hash, owner_telegram_id, default_language,
                         webhook_secret_salt, created_by)
       SELECT id, 'Shop ' || username, $7, tg, username, ct, $8, th, 1, $9, salt, 'bench'
         FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])
           AS t(id, tg, username, ct, th, salt)`,
      [
        partIds,
        part.map((b) => b.id),
        part.map((b) => b.username),
        part.map((b, j) => box.encrypt(b.token, partIds[j])),
        part.map((b) => hasher.hmac(b.token)),
        part.map(() => randomBytes(12).toString('hex')),
        opts.status ?? 'active',
        box.currentVersion,
        opts.defaultLanguage ?? 'en',
      ],
    );
  }
  return ids;
}

/** Sets a bot's status directly and announces it (`paused`, `resumed`, `suspended`, `deleted`). */
export async function setHostedBotStatus(
  env: TestEnv,
  botId: string,
  status: 'active' | 'paused' | 'suspended' | 'deleted',
): Promise<void> {
  const ds = await platformOf(env);
  await ds.query(`UPDATE bots SET status = $2, updated_at = now() WHERE id = $1`, [botId, status]);
  const event: Record<typeof status, BotEventType> = {
    active: 'resumed',
    paused: 'paused',
    suspended: 'suspended',
    deleted: 'deleted',
  };
  await publishTestBotEvent(env, botId, event[status]);
}

/** Replaces the bot's Telegram token (another emulator bot) and announces `token_replaced`. */
export async function replaceHostedBotToken(env: TestEnv, botId: string, bot: EmulatedBot): Promise<void> {
  const ds = await platformOf(env);
  const box = new SecretBox(env.vars.ENCRYPTION_KEY);
  const hasher = new TokenHasher(env.vars.TOKEN_HASH_KEY);
  await ds.query(
    `UPDATE bots SET telegram_token_ciphertext = $2, telegram_token_hash = $3, telegram_bot_id = $4,
            telegram_username = $5, status = 'active', updated_at = now() WHERE id = $1`,
    [botId, box.encrypt(bot.token, botId), hasher.hmac(bot.token), bot.id, bot.username],
  );
  await publishTestBotEvent(env, botId, 'token_replaced');
}

/** The secret Telegram must send in X-Telegram-Bot-Api-Secret-Token for this bot. */
export async function webhookSecretOf(env: TestEnv, botId: string): Promise<string> {
  const ds = await platformOf(env);
  const [row] = (await ds.query(`SELECT webhook_secret_salt FROM bots WHERE id = $1`, [botId])) as {
    webhook_secret_salt: string;
  }[];
  return webhookSecretFor(new TokenHasher(env.vars.TOKEN_HASH_KEY), botId, row.webhook_secret_salt);
}
