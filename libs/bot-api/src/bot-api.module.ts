import { Module } from '@nestjs/common';
import { AppConfig } from '@botfleet/config';
import { TelegramBotApi } from './telegram-bot-api';

/** Provides the plain-fetch Bot API client against TELEGRAM_API_ROOT (needs the global ConfigModule). */
@Module({
  providers: [
    {
      provide: TelegramBotApi,
      inject: [AppConfig],
      useFactory: (c: AppConfig) => new TelegramBotApi(c.TELEGRAM_API_ROOT),
    },
  ],
  exports: [TelegramBotApi],
})
export class BotApiModule {}
