import { Global, Module } from '@nestjs/common';
import { ConsoleAccessModule } from '@botfleet/bots';
import { CatalogModule } from '@botfleet/catalog';
import { OperatorModule } from '@botfleet/operator';
import { MasterConsole } from './master-console.handler';
import { MASTER_CONSOLE } from './master-console.port';
import { MasterSessions } from './master-sessions';

/**
 * The operator's console in the master bot. Global so the shared composition (BotConversationModule) finds
 * MASTER_CONSOLE without importing the operator's use cases itself; needs the global PlatformDbModule,
 * DalModule, JobsModule, RedisModule and ConfigModule (the worker has them).
 */
@Global()
@Module({
  imports: [OperatorModule, CatalogModule, ConsoleAccessModule],
  providers: [MasterSessions, MasterConsole, { provide: MASTER_CONSOLE, useExisting: MasterConsole }],
  exports: [MASTER_CONSOLE, MasterConsole],
})
export class MasterConsoleModule {}
