import { Module } from '@nestjs/common';
import { GrowthModule } from '@botfleet/growth';
import { RetentionCandidates } from '@botfleet/platform';
import { BotConversationModule } from '@botfleet/telegram';
import { RetentionScanHandler } from './retention-scan.handler';

/** The worker's part of growth (libs/growth): the periodic auto-renew and reminders scan. */
@Module({
  imports: [GrowthModule, BotConversationModule],
  providers: [RetentionCandidates, RetentionScanHandler],
  exports: [RetentionScanHandler],
})
export class GrowthWorkerModule {}
