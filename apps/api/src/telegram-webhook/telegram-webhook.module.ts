import { Module } from '@nestjs/common';
import { JobsModule } from '@botfleet/jobs';
import { TelegramWebhookController } from './telegram-webhook.controller';
import { TelegramWebhookService } from './telegram-webhook.service';

@Module({
  imports: [JobsModule],
  controllers: [TelegramWebhookController],
  providers: [TelegramWebhookService],
})
export class TelegramWebhookModule {}
