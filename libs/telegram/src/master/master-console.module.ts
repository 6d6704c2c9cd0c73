import { Global, Module } from '@nestjs/common';
import { Composer } from 'telegraf';
import { ConsoleAccessModule } from '@botfleet/bots';
import { CatalogModule } from '@botfleet/catalog';
import { OperatorModule } from '@botfleet/operator';
import type { BotContext } from '../context/bot-context';
import { MasterConsole } from './master-console.handler';
import { MASTER_CONSOLE, MasterConsolePort } from './master-console.port';
import { MasterSessions } from './master-sessions';
import { OwnerSettingsLinkHandler } from './owner-settings-link.handler';

/**
 * The operator's console in the master bot, and the master bot's "Open Settings" answer to shop owners whose bot
 * token was revoked. Global so the shared composition (BotConversationModule) finds MASTER_CONSOLE without
 * importing the operator's use cases itself; needs the global PlatformDbModule, DalModule, JobsModule,
 * RedisModule and ConfigModule (the worker has them).
 */
@Global()
@Module({
  imports: [OperatorModule, CatalogModule, ConsoleAccessModule],
  providers: [
    MasterSessions,
    MasterConsole,
    OwnerSettingsLinkHandler,
    {
      provide: MASTER_CONSOLE,
      useFactory: (operator: MasterConsole, owners: OwnerSettingsLinkHandler): MasterConsolePort => ({
        middleware: Composer.compose<BotContext>([owners.middleware, operator.middleware]),
      }),
      inject: [MasterConsole, OwnerSettingsLinkHandler],
    },
  ],
  exports: [MASTER_CONSOLE, MasterConsole],
})
export class MasterConsoleModule {}
