import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCode } from '@botfleet/common';
import { CustomersService } from '@botfleet/customers';
import { actorOf, CurrentPrincipal, Principal } from '../auth';
import { requireIdempotencyKey } from '../common/idempotency-key';
import { ApiErrors } from '../common/api-docs';
import {
  BalanceAdjustmentDto,
  BalanceAdjustmentResultDto,
  SubscriptionListQueryDto,
  SubscriptionPageDto,
  SubscriptionDto,
  TransactionDto,
  UpdateUserDto,
  UserDto,
  UserListQueryDto,
  UserPageDto,
} from './dto/customer.dto';

const notFoundOnBadId = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError(ErrorCode.NOT_FOUND, 'Not found'),
});

/** The tenant's end users and their subscriptions (API.md "Catalogue, customers and money"). */
@ApiTags('customers')
@ApiBearerAuth()
@Controller('v1/bots/:botId')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Get('users')
  @ApiOperation({ summary: 'Users of the bot, newest first; search by Telegram id, username, name or referral code' })
  @ApiResponse({ status: 200, type: UserPageDto })
  @ApiErrors(400, 404)
  async list(@Param('botId') botId: string, @Query() q: UserListQueryDto): Promise<UserPageDto> {
    const page = await this.customers.listUsers(botId, q);
    return { ...page, items: page.items.map(UserDto.of) };
  }

  @Get('users/:userId')
  @ApiResponse({ status: 200, type: UserDto })
  @ApiErrors(404)
  async get(@Param('botId') botId: string, @Param('userId', notFoundOnBadId) userId: string): Promise<UserDto> {
    return UserDto.of(await this.customers.getUser(botId, userId));
  }

  @Patch('users/:userId')
  @ApiOperation({ summary: 'Block or unblock a user in this bot' })
  @ApiResponse({ status: 200, type: UserDto })
  @ApiErrors(400, 403, 404)
  async update(
    @Param('botId') botId: string,
    @Param('userId', notFoundOnBadId) userId: string,
    @Body() dto: UpdateUserDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<UserDto> {
    return UserDto.of(await this.customers.setStatus(botId, userId, dto.status, actorOf(p)));
  }

  @Post('users/:userId/balance-adjustments')
  @HttpCode(201)
  @ApiOperation({
    summary: "Credit or debit the user's wallet (one ledger entry)",
    description:
      'Idempotency-Key is required (a client retries after a 503): the same key again returns the first ' +
      'answer and writes nothing.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: '1-100 of A-Z a-z 0-9 _ . : -' })
  @ApiResponse({ status: 201, type: BalanceAdjustmentResultDto })
  @ApiErrors(400, 403, 404, 409)
  async adjust(
    @Param('botId') botId: string,
    @Param('userId', notFoundOnBadId) userId: string,
    @Body() dto: BalanceAdjustmentDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key: string | undefined,
  ): Promise<BalanceAdjustmentResultDto> {
    const idempotencyKey = requireIdempotencyKey(key);
    const res = await this.customers.adjustBalance(botId, userId, { ...dto, idempotencyKey }, actorOf(p));
    return { transaction: TransactionDto.of(res.transaction), balanceMinor: res.balanceMinor };
  }

  @Get('subscriptions')
  @ApiResponse({ status: 200, type: SubscriptionPageDto })
  @ApiErrors(400, 404)
  async subscriptions(
    @Param('botId') botId: string,
    @Query() q: SubscriptionListQueryDto,
  ): Promise<SubscriptionPageDto> {
    const page = await this.customers.listSubscriptions(botId, q);
    return { ...page, items: page.items.map(SubscriptionDto.of) };
  }
}
