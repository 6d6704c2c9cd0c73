import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { RedisModule } from '@botfleet/common';
import { AppConfig, ConfigModule, loadConfig } from '@botfleet/config';
import { BotSelfRepository, DalModule } from '@botfleet/dal';
import { JobsModule } from '@botfleet/jobs';
import { SecretsModule } from '@botfleet/secrets';
import { TestBot, TestContext } from '@botfleet/testing';
import { BotUsersService } from '@botfleet/users';
import { BotConversationModule } from '../bot-conversation.module';
import { BotCredentials, credentialsOf } from '../runtime/bot-runtime';
import { BotRuntimes, RuntimeObserver } from '../runtime/bot-runtimes.service';
import { Messenger } from './messenger.service';
import { RecipientGoneError } from './recipient-gone';

describe('Messenger (the bot runtimes against the Telegram emulator, real PostgreSQL)', () => {
  let ctx: TestContext;
  let app: INestApplicationContext;
  let messenger: Messenger;
  const rejected: { botId: string; tokenHash: string }[] = [];

  beforeAll(async () => {
    ctx = await TestContext.create();
    const vars = { ...ctx.env.vars, TELEGRAM_API_ROOT: ctx.telegram.url, LOG_LEVEL: 'silent' };
    const module = await Test.createTestingModule({
      imports: [ConfigModule, SecretsModule, RedisModule, DalModule, JobsModule, BotConversationModule],
    })
      .overrideProvider(AppConfig)
      .useValue(loadConfig(vars))
      .compile();
    app = await module.init();
    messenger = app.get(Messenger);
    const observer: RuntimeObserver = {
      tokenRejected: (botId, tokenHash) => rejected.push({ botId, tokenHash }),
      trouble: () => undefined,
    };
    app.get(BotRuntimes).observe(observer);
  });

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  async function credentials(bot: TestBot): Promise<BotCredentials> {
    return credentialsOf((await ctx.get(BotSelfRepository).get(bot.id))!);
  }

  it('marks a user who blocked the bot, whichever send finds out, and sends the others normally', async () => {
    const bot = await ctx.newBot();
    const gone = { id: 7_100_001, first_name: 'Gone' };
    const here = { id: 7_100_002, first_name: 'Here' };
    for (const from of [gone, here]) {
      await ctx.newUser(bot.id, { telegramId: from.id });
      ctx.telegram.sendText(bot.telegram.id, { from, text: '/start' });
    }
    ctx.telegram.blockBot(bot.telegram.id, { from: gone });
    const sender = messenger.as(await credentials(bot));

    await expect(sender.sendMessage(gone.id, 'a notification')).rejects.toBeInstanceOf(RecipientGoneError);
    await expect(sender.sendMessage(here.id, 'a notification')).resolves.toMatchObject({ text: 'a notification' });

    const users = ctx.get(BotUsersService);
    expect((await users.findByTelegramId(bot.id, gone.id))?.botBlockedAt).toBeInstanceOf(Date);
    expect((await users.findByTelegramId(bot.id, here.id))?.botBlockedAt).toBeNull();
  });

  it('reports a revoked token from a notification as from a poller: every client has the 401 hook', async () => {
    const bot = await ctx.newBot();
    const user = { id: 7_100_003, first_name: 'Buyer' };
    ctx.telegram.sendText(bot.telegram.id, { from: user, text: '/start' });
    const creds = await credentials(bot);
    ctx.telegram.revokeToken(bot.telegram.id);

    await expect(messenger.as(creds).sendMessage(user.id, 'your receipt was approved')).rejects.toMatchObject({
      code: 401,
    });
    expect(rejected).toEqual([{ botId: bot.id, tokenHash: creds.tokenHash }]);
  });
});
