import {
  Controller,
  Get,
  Header,
  Headers,
  Inject,
  NotFoundException,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import Redis from 'ioredis';
import { register } from 'prom-client';
import { DependencyTimeoutError, metricsAccess, REDIS, withDependencyTimeout } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { DatabasePing } from '@botfleet/dal';

/** The worker's own small HTTP surface: liveness, readiness and Prometheus metrics. */
@Controller()
export class WorkerHealthController {
  constructor(
    private readonly database: DatabasePing,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  /**
   * Ready when PostgreSQL and Redis answer within 2 s; otherwise 503 naming each dependency that is down, with a
   * reason in our own words (never a driver's error text, which can name hosts and roles).
   */
  @Get('health/ready')
  async ready(@Res({ passthrough: true }) res: FastifyReply) {
    const check = async (dependency: 'postgres' | 'redis', ping: () => Promise<unknown>) => {
      try {
        await withDependencyTimeout(dependency, 2_000, ping());
        return { status: 'up' as const };
      } catch (e) {
        return {
          status: 'down' as const,
          reason: e instanceof DependencyTimeoutError ? 'no answer within 2 s' : 'unavailable',
        };
      }
    };
    const [postgres, redis] = await Promise.all([
      check('postgres', () => this.database.ping()),
      check('redis', () =>
        this.redis.status === 'ready' ? this.redis.ping() : Promise.reject(new Error('not connected')),
      ),
    ]);
    const ok = postgres.status === 'up' && redis.status === 'up';
    if (!ok) void res.status(503);
    return { status: ok ? 'ok' : 'error', details: { postgres, redis } };
  }

  /** Same rule as the API's: METRICS_TOKEN when set; without one, open outside production and 404 in production. */
  @Get('metrics')
  @Header('Content-Type', register.contentType)
  metrics(@Headers('authorization') authorization: string | undefined): Promise<string> {
    const access = metricsAccess(
      { token: this.config.METRICS_TOKEN, production: this.config.isProduction },
      authorization,
    );
    if (access === 'hidden') throw new NotFoundException();
    if (access === 'unauthorized') throw new UnauthorizedException();
    return register.metrics();
  }
}
