import { Controller, Get, Header, Headers } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { register } from 'prom-client';
import { DomainError, ErrorCode, metricsAccess } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { Public } from '../auth/auth.decorators';

/** Prometheus metrics: needs METRICS_TOKEN when set; without one, open outside production and 404 in production. */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly config: AppConfig) {}

  @Get()
  @Header('Content-Type', register.contentType)
  metrics(@Headers('authorization') authorization: string | undefined): Promise<string> {
    const access = metricsAccess(
      { token: this.config.METRICS_TOKEN, production: this.config.isProduction },
      authorization,
    );
    if (access === 'hidden') throw new DomainError(ErrorCode.NOT_FOUND, 'Not found');
    if (access === 'unauthorized') throw new DomainError(ErrorCode.UNAUTHORIZED, 'Metrics need the METRICS_TOKEN');
    return register.metrics();
  }
}
