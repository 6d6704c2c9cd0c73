import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCode } from '@botfleet/common';
import { ReferralQueries } from '@botfleet/growth';
import { ApiErrors, PageQueryDto } from '../common/api-docs';
import {
  ReferralEarningDto,
  ReferralEarningPageDto,
  ReferralEarningsQueryDto,
  ReferralSummaryDto,
  UserReferralsDto,
} from './referrals.dto';

const notFoundOnBadId = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError(ErrorCode.NOT_FOUND, 'Not found'),
});

/** Referral earnings (feature `referral_program`, libs/growth/src/referrals): per user and for the whole bot. */
@ApiTags('referrals')
@ApiBearerAuth()
@Controller('v1/bots/:botId')
export class ReferralsController {
  constructor(private readonly referrals: ReferralQueries) {}

  @Get('users/:userId/referrals')
  @ApiOperation({ summary: 'A user’s referral link, how many joined and bought, and their earnings (newest first)' })
  @ApiResponse({ status: 200, type: UserReferralsDto })
  @ApiErrors(400, 404)
  async forUser(
    @Param('botId') botId: string,
    @Param('userId', notFoundOnBadId) userId: string,
    @Query() q: PageQueryDto,
  ): Promise<UserReferralsDto> {
    const summary = await this.referrals.summary(botId, userId);
    const page = await this.referrals.earnings(botId, userId, q.page, q.pageSize);
    return { ...page, items: page.items.map(ReferralEarningDto.of), summary: ReferralSummaryDto.of(summary) };
  }

  @Get('referral-earnings')
  @ApiOperation({ summary: 'Referral earnings of the bot (?userId= for one referrer), newest first' })
  @ApiResponse({ status: 200, type: ReferralEarningPageDto })
  @ApiErrors(400, 404)
  async list(@Param('botId') botId: string, @Query() q: ReferralEarningsQueryDto): Promise<ReferralEarningPageDto> {
    const page = await this.referrals.earnings(botId, q.userId ?? null, q.page, q.pageSize);
    return { ...page, items: page.items.map(ReferralEarningDto.of) };
  }
}
