import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PlatformStatsQueries } from '@botfleet/platform';
import { MasterOnly } from '../auth';
import { ApiErrors } from '../common/api-docs';
import { PlatformStatsDto } from './dto/admin.dto';

@ApiTags('admin')
@ApiBearerAuth()
@MasterOnly()
@Controller('v1/admin/stats')
export class AdminStatsController {
  constructor(private readonly stats: PlatformStatsQueries) {}

  @Get()
  @ApiOperation({ summary: 'Platform totals: bots by status, users, sales and wallets per currency, panels, invites' })
  @ApiResponse({ status: 200, type: PlatformStatsDto })
  @ApiErrors(403)
  get(): Promise<PlatformStatsDto> {
    return this.stats.stats();
  }
}
