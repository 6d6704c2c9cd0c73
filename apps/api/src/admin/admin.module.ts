import { Module } from '@nestjs/common';
import { OperatorModule } from '@botfleet/operator';
import { AdminAuditLogController } from './admin-audit-log.controller';
import { AdminBotsController } from './admin-bots.controller';
import { AdminInvitesController } from './admin-invites.controller';
import { AdminPanelsController } from './admin-panels.controller';
import { AdminStatsController } from './admin-stats.controller';

/** `/v1/admin/…`: the platform operator's endpoints (master token only). */
@Module({
  imports: [OperatorModule],
  controllers: [
    AdminAuditLogController,
    AdminBotsController,
    AdminInvitesController,
    AdminPanelsController,
    AdminStatsController,
  ],
})
export class AdminApiModule {}
