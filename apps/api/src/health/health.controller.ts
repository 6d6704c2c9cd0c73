import { Controller, Get, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { REDIS } from '@botfleet/common';
import { DatabasePing } from '@botfleet/dal';

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`timed out after ${ms} ms`)), ms))]);

@ApiExcludeController()
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly database: DatabasePing,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /** Ready only when PostgreSQL and Redis answer; answers within ~2 s either way. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      async () => {
        const i = this.indicator.check('postgres');
        try {
          await withTimeout(this.database.ping(), 2000);
          return i.up();
        } catch (e) {
          return i.down({ message: e instanceof Error ? e.message : 'down' });
        }
      },
      async () => {
        const i = this.indicator.check('redis');
        try {
          if (this.redis.status !== 'ready') throw new Error(`connection ${this.redis.status}`);
          await withTimeout(this.redis.ping(), 2000);
          return i.up();
        } catch (e) {
          return i.down({ message: e instanceof Error ? e.message : 'down' });
        }
      },
    ]);
  }
}
