import 'reflect-metadata';
import { Pool } from 'pg';
import { Telegraf } from 'telegraf';
import { newReferralCode } from '@botfleet/users';

/**
 * The baseline of B1/B2: bare Telegraf bots (`bot.launch()`, Telegraf's own polling) on the same emulator
 * doing the same work by hand — upsert the user, answer with the welcome text and a keyboard — with no
 * leases, no exactly-once record, no tenant transaction. Configured by environment:
 * BARE_BOTS (JSON [{ token, botId }]), TELEGRAM_API_ROOT, DATABASE_URL. Prints "ready" once all poll.
 */
async function main(): Promise<void> {
  const bots = JSON.parse(process.env.BARE_BOTS ?? '[]') as { token: string; botId: string }[];
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
  let launched = 0;
  const all: Telegraf[] = [];
  for (const { token, botId } of bots) {
    const bot = new Telegraf(token, { telegram: { apiRoot: process.env.TELEGRAM_API_ROOT!, webhookReply: false } });
    bot.start(async (ctx) => {
      const from = ctx.from;
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
    void bot.launch(() => {
      if (++launched === bots.length) process.stdout.write('ready\n');
    });
    all.push(bot);
  }
  process.once('SIGTERM', () => {
    for (const b of all) b.stop('SIGTERM');
    void pool.end().finally(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
