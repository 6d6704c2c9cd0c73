import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { generateApiToken, SecretBox, sha256Hex, TokenHasher, tokenPrefix } from '@botfleet/secrets';
import { EmulatedBot, platformOf, TestEnv } from '@botfleet/testing';

/**
 * The one place where test data is written straight into tables, for benchmarks only: they need thousands
 * of bots, plans and users in seconds, which onboarding one bot at a time (a getMe, an audit row, an event
 * each) cannot give. The rows follow onboarding's shape (token encrypted with the bot id as associated data,
 * HMAC for uniqueness, a webhook salt) so the apps under measurement read them as their own. Tests arrange
 * through TestContext (libs/testing) or the public API instead.
 */

/** Registers many emulator bots at once (no events: a worker finds them at boot). Ids in the same order. */
export async function insertHostedBots(
  env: TestEnv,
  bots: EmulatedBot[],
  opts: { status?: 'active' | 'paused'; defaultLanguage?: 'fa' | 'en' | 'ru' } = {},
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

/**
 * One measured tenant and `noiseBots` others with the same plans and users, so row-level security has other
 * tenants' rows to filter out in every table the REST reads touch. Returns the measured bot and its API token.
 */
export async function seedRestTenants(
  env: TestEnv,
  owner: DataSource,
  counts: { noiseBots: number; plansPerBot: number; usersPerBot: number },
): Promise<{ botId: string; token: string }> {
  const platform = await platformOf(env);
  const fakeBots: EmulatedBot[] = Array.from({ length: counts.noiseBots + 1 }, (_, i) => {
    const id = 100_000 + Math.floor(Math.random() * 1e9);
    return { id, token: `${id}:${randomBytes(26).toString('base64url')}`, username: `bench_${i}_${id}_bot` };
  });
  const bots = await insertHostedBots(env, fakeBots);
  for (const botId of bots) {
    await platform.query(
      `INSERT INTO bot_plans (bot_id, name, period_days, price_minor, traffic_limit_gb, device_limit, sort_order)
       SELECT $1, jsonb_build_object('en', 'Plan ' || g, 'fa', 'پلن ' || g), 30 * g, 1000000 * g, 10 * g, 2, g
         FROM generate_series(1, $2::int) g`,
      [botId, counts.plansPerBot],
    );
    await platform.query(
      `INSERT INTO users (bot_id, telegram_id, username, first_name, language, referral_code, created_at)
       SELECT $1, 5000000000 + g, 'user' || g, 'User ' || g, 'fa', 'r' || g, now() - g * interval '1 minute'
         FROM generate_series(1, $2::int) g`,
      [botId, counts.usersPerBot],
    );
  }
  // As the owner: ANALYZE skips (with only a warning) tables the caller does not own, and without
  // statistics the planner sorts every user of the bot for one page, which RLS's filter node makes dearer.
  await owner.query(`ANALYZE bot_plans; ANALYZE users; ANALYZE bots`);
  const token = generateApiToken();
  await platform.query(`UPDATE bots SET api_token_hash = $2, api_token_prefix = $3 WHERE id = $1`, [
    bots[0],
    sha256Hex(token),
    tokenPrefix(token),
  ]);
  return { botId: bots[0], token };
}

/**
 * `count` users of a bot with Telegram ids from `firstTelegramId` (B5's audiences: 10,000 and 50 × 1,000),
 * in the shape the bot's first contact writes (a referral code each, English).
 */
export async function insertBotUsers(
  env: TestEnv,
  botId: string,
  count: number,
  firstTelegramId: number,
): Promise<void> {
  const platform = await platformOf(env);
  await platform.query(
    `INSERT INTO users (bot_id, telegram_id, first_name, language, referral_code)
     SELECT $1, $2::bigint + g, 'User ' || g, 'en', 'b' || g FROM generate_series(0, $3::int - 1) g`,
    [botId, firstTelegramId, count],
  );
}

/** A tenant API token for a bot inserted by `insertHostedBots` (as `POST /v1/bots` would show it once). */
export async function issueApiToken(env: TestEnv, botId: string): Promise<string> {
  const platform = await platformOf(env);
  const token = generateApiToken();
  await platform.query(`UPDATE bots SET api_token_hash = $2, api_token_prefix = $3 WHERE id = $1`, [
    botId,
    sha256Hex(token),
    tokenPrefix(token),
  ]);
  return token;
}
