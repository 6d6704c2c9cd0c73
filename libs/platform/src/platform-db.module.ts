import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@botfleet/config';
import { createDataSource } from '@botfleet/dal';
import { PLATFORM_DATA_SOURCE, PlatformDb } from './platform-db';
import { BotDirectory } from './bots/bot-directory';
import { HostedBotsRepository } from './bots/hosted-bots.repository';
import { ProcessedUpdatesStore } from './bots/processed-updates.store';

@Global()
@Module({
  providers: [
    {
      provide: PLATFORM_DATA_SOURCE,
      inject: [AppConfig],
      useFactory: (c: AppConfig) =>
        createDataSource({
          url: c.DATABASE_PLATFORM_URL,
          poolSize: c.DATABASE_PLATFORM_POOL_SIZE,
          applicationName: 'botfleet-platform',
        }).initialize(),
    },
    { provide: PlatformDb, inject: [PLATFORM_DATA_SOURCE], useFactory: (ds: DataSource) => new PlatformDb(ds) },
    BotDirectory,
    HostedBotsRepository,
    ProcessedUpdatesStore,
  ],
  exports: [PlatformDb, BotDirectory, HostedBotsRepository, ProcessedUpdatesStore],
})
export class PlatformDbModule implements OnApplicationShutdown {
  constructor(@Inject(PLATFORM_DATA_SOURCE) private readonly ds: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}
