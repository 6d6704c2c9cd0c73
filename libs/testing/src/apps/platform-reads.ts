import { DataSource } from 'typeorm';
import { webhookSecretFor } from '@botfleet/bot-api';
import { TokenHasher } from '@botfleet/secrets';
import { TestEnv } from './test-env';

/** A bot as the Telegram emulator registered it (`createBot` answer). */
export interface EmulatedBot {
  id: number;
  token: string;
  username: string;
}

const platforms = new WeakMap<TestEnv, Promise<DataSource>>();

/**
 * One platform (BYPASSRLS) connection per test environment, closed by `env.cleanup()`: for looking at what
 * the apps wrote, never for arranging data (TestContext or the public API do that).
 */
export function platformOf(env: TestEnv): Promise<DataSource> {
  let ds = platforms.get(env);
  if (!ds) {
    ds = env.db.platform();
    platforms.set(env, ds);
  }
  return ds;
}

/** The secret Telegram must send in X-Telegram-Bot-Api-Secret-Token for this bot (what the worker gave setWebhook). */
export async function webhookSecretOf(env: TestEnv, botId: string): Promise<string> {
  const ds = await platformOf(env);
  const [row] = (await ds.query(`SELECT webhook_secret_salt FROM bots WHERE id = $1`, [botId])) as {
    webhook_secret_salt: string;
  }[];
  return webhookSecretFor(new TokenHasher(env.vars.TOKEN_HASH_KEY), botId, row.webhook_secret_salt);
}
