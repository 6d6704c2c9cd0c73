import { Module } from '@nestjs/common';
import { BillingModule } from '@botfleet/billing';
import { BotsModule } from '@botfleet/bots';
import { OperatorModule } from '@botfleet/operator';
import { AuditLogController } from './audit-log.controller';
import { BotsController } from './bots.controller';

@Module({ imports: [BotsModule, BillingModule, OperatorModule], controllers: [BotsController, AuditLogController] })
export class BotsApiModule {}
