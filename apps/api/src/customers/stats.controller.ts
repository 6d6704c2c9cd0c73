import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BotStatsService } from '@botfleet/customers';
import { ApiErrors } from '../common/api-docs';
import { BotStatsDto, StatsQueryDto } from './dto/stats.dto';

/** The tenant's own sales figures (API.md "Catalogue, customers and money": GET /v1/bots/{botId}/stats). */
@ApiTags('stats')
@ApiBearerAuth()
@Controller('v1/bots/:botId')
export class StatsController {
  constructor(private readonly stats: BotStatsService) {}

  @Get('stats')
  @ApiOperation({
    summary:
      "Sales, revenue, new users per day (in the shop's time zone) of a range; active subscriptions and traffic now",
    description:
      'A sale is an order with paidAt in the range whose status is still paid, fulfilling or fulfilled ' +
      '(refunded, failed, pending, rejected and expired orders do not count); revenue is the sum of their ' +
      "amountMinor in the bot's current currency. byDay lists every day of the range, zeros included, oldest first. " +
      "Days are calendar days in the shop's time zone (configuration time_zone, default Asia/Tehran; named in timeZone).",
  })
  @ApiResponse({ status: 200, type: BotStatsDto })
  @ApiErrors(400, 404)
  get(@Param('botId') botId: string, @Query() q: StatsQueryDto): Promise<BotStatsDto> {
    return this.stats.stats(botId, { from: q.from, to: q.to });
  }
}
