import { Module } from '@nestjs/common';
import { BotAdminsModule } from '../admins/bot-admins.module';
import { ConsoleLinksService } from './console-links.service';
import { IssueOwnerSettingsLinkUseCase } from './issue-owner-settings-link.use-case';
import { ReceiptPhotosService } from './receipt-photos.service';

/**
 * The web console's domain side: one-time sign-in links and signed receipt-photo URLs. Needs the global
 * DalModule, RedisModule, SecretsModule and ConfigModule.
 */
@Module({
  imports: [BotAdminsModule],
  providers: [ConsoleLinksService, ReceiptPhotosService, IssueOwnerSettingsLinkUseCase],
  exports: [ConsoleLinksService, ReceiptPhotosService, IssueOwnerSettingsLinkUseCase],
})
export class ConsoleAccessModule {}
