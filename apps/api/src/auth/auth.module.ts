import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { BotsModule } from '@botfleet/bots';
import { ApiAuthGuard } from './api-auth.guard';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { BotAccessCache } from './bot-access-cache';

/** Authentication for every route, and the bot access cache (the guard and the webhook receiver use it). */
@Global()
@Module({
  imports: [BotsModule],
  providers: [AuthFailureLimiter, BotAccessCache, { provide: APP_GUARD, useClass: ApiAuthGuard }],
  exports: [AuthFailureLimiter, BotAccessCache],
})
export class AuthModule {}
