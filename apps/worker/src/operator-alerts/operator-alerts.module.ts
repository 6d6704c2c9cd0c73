import { Global, Module } from '@nestjs/common';
import { OPERATOR_ALERT_SENDER, OperatorAlertsService, OperatorModule } from '@botfleet/operator';
import { BotConversationModule } from '@botfleet/telegram';
import { MasterBotAlertSender } from './master-bot-alert-sender';
import { OperatorAlertsProcessor } from './operator-alerts.processor';
import { PanelHealthMetrics } from './panel-health.metrics';

/**
 * Alerts to the operator through the master bot: the periodic scan and the service the provisioning
 * final-failure hook and TokenRevocation call (global, so they find it without importing this module).
 */
@Global()
@Module({
  imports: [OperatorModule, BotConversationModule],
  providers: [
    { provide: OPERATOR_ALERT_SENDER, useClass: MasterBotAlertSender },
    OperatorAlertsService,
    OperatorAlertsProcessor,
    PanelHealthMetrics,
  ],
  exports: [OperatorAlertsService],
})
export class OperatorAlertsModule {}
