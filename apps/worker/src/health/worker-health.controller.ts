import { Controller, Get, Header, Headers, Inject, NotFoundException, UnauthorizedException } from '@nestjs/common';
import Redis from 'ioredis';
import { register } from 'prom-client';
import { metricsAccess, REDIS } from '@botfleet/common';
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

  @Get('health/ready')
  async ready() {
    await Promise.race([
      Promise.all([this.database.ping(), this.redis.ping()]),
      new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 2000)),
    ]);
    return { status: 'ok' };
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
