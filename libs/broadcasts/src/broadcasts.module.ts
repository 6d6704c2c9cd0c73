import { Module } from '@nestjs/common';
import { AuditModule } from '@botfleet/audit';
import { BotAdminsModule } from '@botfleet/bots';
import { CatalogModule } from '@botfleet/catalog';
import { BroadcastRunsService } from './broadcast-runs.service';
import { BroadcastsService } from './broadcasts.service';

/** Broadcasts: the drafts and their life (the API), and the domain side of sending them (the worker). */
@Module({
  imports: [AuditModule, BotAdminsModule, CatalogModule],
  providers: [BroadcastsService, BroadcastRunsService],
  exports: [BroadcastsService, BroadcastRunsService],
})
export class BroadcastsModule {}
