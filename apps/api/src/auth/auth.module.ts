import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import Redis from 'ioredis';
import { BotsModule, ConsoleAccessModule } from '@botfleet/bots';
import { REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { ApiAuthGuard } from './api-auth.guard';
import { AuthFailureLimiter } from './auth-failure-limiter';
import { BotAccessCache } from './bot-access-cache';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { TokenRateLimitGuard } from './token-rate-limit.guard';
import { ConsoleSessionsService } from '../sessions/console-sessions.service';

/**
 * Authentication for every route, then the per-token rate limit (guards run in this order), and the bot access
 * cache (the guard and the webhook receiver use it), and the web console's sessions (the guard accepts their cookie).
 */
@Global()
@Module({
  imports: [
    BotsModule,
    ConsoleAccessModule,
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, REDIS],
      useFactory: (config: AppConfig, redis: Redis) => ({
        throttlers: [{ name: 'default', ttl: 60_000, limit: config.API_RATE_LIMIT_PER_MINUTE }],
        skipIf: () => config.API_RATE_LIMIT_PER_MINUTE === 0,
        storage: new RedisThrottlerStorage(redis, config.REDIS_PREFIX),
      }),
    }),
  ],
  providers: [
    AuthFailureLimiter,
    BotAccessCache,
    ConsoleSessionsService,
    { provide: APP_GUARD, useClass: ApiAuthGuard },
    { provide: APP_GUARD, useClass: TokenRateLimitGuard },
  ],
  exports: [AuthFailureLimiter, BotAccessCache, ConsoleSessionsService],
})
export class AuthModule {}
