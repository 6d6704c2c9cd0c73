import { Module } from '@nestjs/common';
import { PaymentsModule } from '@botfleet/payments';
import { BotConversationModule } from '@botfleet/telegram';
import { PaymentsProcessor } from './payments.processor';

/** The worker's part of online payments: the buyer's notices and the reconciler. */
@Module({
  imports: [PaymentsModule, BotConversationModule],
  providers: [PaymentsProcessor],
})
export class PaymentsWorkerModule {}
