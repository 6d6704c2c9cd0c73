import { Injectable, Logger } from '@nestjs/common';
import { JobName, OnJob } from '@botfleet/jobs';
import { OperatorAlertsService, ScanSummary } from '@botfleet/operator';

/**
 * The periodic round of operator alerts (OPERATOR_ALERT_INTERVAL_MS, a job scheduler in job-schedules.ts):
 * low wallets, panel health checks, failed provisioning, revoked tokens. Each alert goes out once per
 * episode however many workers run the round (OperatorAlertsService).
 */
@Injectable()
export class OperatorAlertsProcessor {
  private readonly logger = new Logger(OperatorAlertsProcessor.name);

  constructor(private readonly alerts: OperatorAlertsService) {}

  @OnJob({ name: JobName.ScanOperatorAlerts })
  async scan(): Promise<ScanSummary> {
    const summary = await this.alerts.scan();
    if (summary.sent) this.logger.log(`operator alerts: ${summary.sent} sent`);
    return summary;
  }
}
