import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '@botfleet/config';
import { createRedis } from './redis';

export const REDIS = Symbol('REDIS');

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig],
      useFactory: (c: AppConfig) =>
        // Requests and updates never wait on this connection longer than REDIS_COMMAND_TIMEOUT_MS.
        createRedis(
          c.REDIS_URL,
          { commandTimeout: c.REDIS_COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1 },
          c.redisClusterNodes,
        ),
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
