import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { REDIS } from '@botfleet/common';
import { DatabasePing } from '@botfleet/dal';

class NoAnswer extends Error {}

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, rej) => setTimeout(() => rej(new NoAnswer(`timed out after ${ms} ms`)), ms)),
  ]);

/**
 * Why a dependency is down, in words of our own: a driver's error text can name hosts, users or worse, and
 * /health/ready is reachable by whoever reaches the API.
 */
const reasonOf = (e: unknown) => ({ reason: e instanceof NoAnswer ? 'no answer within 2 s' : 'unavailable' });

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

  /**
   * Ready only when PostgreSQL and Redis answer; answers within ~2 s either way. Not ready is a 503 with
   * Terminus' body (`details.<dependency>.status/reason`), the reasons in our own words.
   */
  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) res: FastifyReply) {
    try {
      return await this.check();
    } catch (e) {
      if (!(e instanceof ServiceUnavailableException)) throw e;
      void res.status(503);
      return e.getResponse();
    }
  }

  private check() {
    return this.health.check([
      async () => {
        const i = this.indicator.check('postgres');
        try {
          await withTimeout(this.database.ping(), 2000);
          return i.up();
        } catch (e) {
          return i.down(reasonOf(e));
        }
      },
      async () => {
        const i = this.indicator.check('redis');
        try {
          if (this.redis.status !== 'ready') throw new Error('not connected');
          await withTimeout(this.redis.ping(), 2000);
          return i.up();
        } catch (e) {
          return i.down(reasonOf(e));
        }
      },
    ]);
  }
}
