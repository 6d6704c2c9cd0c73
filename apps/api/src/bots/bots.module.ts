import { Module } from '@nestjs/common';
import { BillingModule } from '@botfleet/billing';
import { BotsModule } from '@botfleet/bots';
import { OperatorModule } from '@botfleet/operator';
import { BotsController } from './bots.controller';

@Module({ imports: [BotsModule, BillingModule, OperatorModule], controllers: [BotsController] })
export class BotsApiModule {}
