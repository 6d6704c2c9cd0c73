import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { createRedis } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';

/** The Cluster connection BullMQ shares on a Redis Cluster (null on a single Redis: BullMQ connects by URL). */
export const BULLMQ_CLUSTER_CONNECTION = Symbol('BULLMQ_CLUSTER_CONNECTION');

/**
 * On a Redis Cluster BullMQ takes a Cluster connection instead of a URL (its workers duplicate it for their
 * blocking calls); a connection handed to BullMQ is not closed by it, so this module closes it with the app.
 */
@Module({
  providers: [
    {
      provide: BULLMQ_CLUSTER_CONNECTION,
      inject: [AppConfig],
      useFactory: (c: AppConfig): Redis | null =>
        c.redisClusterNodes.length
          ? createRedis(c.REDIS_URL, { maxRetriesPerRequest: null }, c.redisClusterNodes)
          : null,
    },
  ],
  exports: [BULLMQ_CLUSTER_CONNECTION],
})
export class BullConnectionModule implements OnApplicationShutdown {
  constructor(@Inject(BULLMQ_CLUSTER_CONNECTION) private readonly connection: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }
}
