import { Controller, Get, Header, Inject } from '@nestjs/common';
import Redis from 'ioredis';
import { register } from 'prom-client';
import { REDIS } from '@botfleet/common';
import { DatabasePing } from '@botfleet/dal';

/** The worker's own small HTTP surface: liveness, readiness and Prometheus metrics. */
@Controller()
export class WorkerHealthController {
  constructor(
    private readonly database: DatabasePing,
    @Inject(REDIS) private readonly redis: Redis,
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

  @Get('metrics')
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
