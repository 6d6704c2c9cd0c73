import { run, RunnerHandle } from '@grammyjs/runner';
import { Bot } from 'grammy';
import { Pool } from 'pg';
import { newReferralCode } from '@botfleet/users';

/**
 * Baseline (b) of B1/B2: grammY bots driven by @grammyjs/runner (concurrent long polling, the way grammY's docs
 * say to scale a bot) on the same emulator doing the same work by hand as bare-telegraf-bot.process.ts — upsert
 * the user, answer with the welcome text and a keyboard — with no leases, no exactly-once record, no tenant
 * transaction. Configured by environment: BARE_BOTS (JSON [{ token, botId }]), TELEGRAM_API_ROOT, DATABASE_URL.
 * Prints "ready" once every runner is started.
 */
async function main(): Promise<void> {
  const bots = JSON.parse(process.env.BARE_BOTS ?? '[]') as { token: string; botId: string }[];
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
  const runners: RunnerHandle[] = [];
  await Promise.all(
    bots.map(async ({ token, botId }) => {
      const bot = new Bot(token, { client: { apiRoot: process.env.TELEGRAM_API_ROOT! } });
      bot.command('start', async (ctx) => {
        const from = ctx.from!;
        await pool.query(
          `INSERT INTO users (bot_id, telegram_id, username, first_name, language_code, language, referral_code, last_seen_at)
           VALUES ($1, $2, $3, $4, $5, 'en', $6, now())
           ON CONFLICT (bot_id, telegram_id) DO UPDATE SET username = EXCLUDED.username,
             first_name = EXCLUDED.first_name, last_seen_at = now(), updated_at = now()`,
          [botId, from.id, from.username ?? null, from.first_name, from.language_code ?? null, newReferralCode()],
        );
        await ctx.reply(`Hello, ${from.first_name}! Welcome to <b>Shop</b>.\nChoose what you need below.`, {
          parse_mode: 'HTML',
          reply_markup: {
            inline_keyboard: [
              [{ text: '🌐 Language', callback_data: 'menu:language' }],
              [{ text: '❓ Help', callback_data: 'menu:help' }],
            ],
          },
        });
      });
      await bot.init();
      runners.push(run(bot));
    }),
  );
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void Promise.all(runners.map((r) => (r.isRunning() ? r.stop() : undefined)))
      .then(() => pool.end())
      .finally(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
