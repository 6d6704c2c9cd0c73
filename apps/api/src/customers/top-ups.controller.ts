import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCode } from '@botfleet/common';
import { TopUpView, WalletQueries } from '@botfleet/payments';
import { ApiErrors, PageMetaDto, PageQueryDto } from '../common/api-docs';
import { TransactionDto } from './dto/customer.dto';

const notFoundOnBadId = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError(ErrorCode.NOT_FOUND, 'Not found'),
});

const TOP_UP_STATUSES = ['open', 'in_review', 'credited', 'rejected', 'expired', 'failed', 'refunded'];

export class UserTopUpDto {
  @ApiProperty({ format: 'uuid', description: 'The card payment or the gateway payment' }) id!: string;
  @ApiProperty({ example: 'card_to_card', description: '`card_to_card` or the gateway (`zarinpal`, `stars` …)' })
  method!: string;
  @ApiProperty({ description: 'Minor units of the bot currency' }) amountMinor!: number;
  @ApiProperty({
    enum: TOP_UP_STATUSES,
    description:
      'open = waiting for the payment or a receipt; in_review = a receipt waits for the admins ' +
      '(GET card-payments/{id} shows it; approve/reject as any receipt); credited = deposited to the wallet',
  })
  status!: string;
  @ApiProperty({ nullable: true, type: String, example: 'C2C-261129-K7M2QX', description: 'Card top-ups only' })
  trackingNumber!: string | null;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The order the top-up was started for (the wallet could not cover it)',
  })
  forOrderId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) creditedAt!: string | null;

  static of(t: TopUpView): UserTopUpDto {
    return {
      id: t.id,
      method: t.method,
      amountMinor: t.amountMinor,
      status: t.status,
      trackingNumber: t.trackingNumber,
      forOrderId: t.forOrderId,
      createdAt: t.createdAt.toISOString(),
      creditedAt: t.creditedAt ? t.creditedAt.toISOString() : null,
    };
  }
}

export class UserTopUpPageDto extends PageMetaDto {
  @ApiProperty({ type: [UserTopUpDto] }) items!: UserTopUpDto[];
}

export class UserWalletDto extends PageMetaDto {
  @ApiProperty({ example: 150000, description: 'The balance now, minor units of currency' }) balanceMinor!: number;
  @ApiProperty({ example: 'IRR' }) currency!: string;
  @ApiProperty({ type: [TransactionDto], description: 'The wallet ledger, newest first' }) items!: TransactionDto[];
}

/** A user's wallet and its top-ups of every method; top-up receipts are reviewed as card-payments. */
@ApiTags('customers')
@ApiBearerAuth()
@Controller('v1/bots/:botId/users/:userId')
export class TopUpsController {
  constructor(private readonly wallet: WalletQueries) {}

  @Get('wallet')
  @ApiOperation({
    summary: "The user's wallet: the balance and its ledger (deposits, purchases, refunds …), newest first",
  })
  @ApiResponse({ status: 200, type: UserWalletDto })
  @ApiErrors(400, 404)
  async userWallet(
    @Param('botId') botId: string,
    @Param('userId', notFoundOnBadId) userId: string,
    @Query() q: PageQueryDto,
  ): Promise<UserWalletDto> {
    const wallet = await this.wallet.userWallet(botId, userId, q.page, q.pageSize);
    if (!wallet) throw new DomainError(ErrorCode.NOT_FOUND, 'User not found');
    return { ...wallet, items: wallet.items.map(TransactionDto.of) };
  }

  @Get('top-ups')
  @ApiOperation({ summary: "The user's wallet top-ups (card receipts and online gateways), newest first" })
  @ApiResponse({ status: 200, type: UserTopUpPageDto })
  @ApiErrors(400, 404)
  async list(
    @Param('botId') botId: string,
    @Param('userId', notFoundOnBadId) userId: string,
    @Query() q: PageQueryDto,
  ): Promise<UserTopUpPageDto> {
    if ((await this.wallet.balance(botId, userId)) === null)
      throw new DomainError(ErrorCode.NOT_FOUND, 'User not found');
    const page = await this.wallet.topUps(botId, userId, q.page, q.pageSize);
    return { ...page, items: page.items.map(UserTopUpDto.of) };
  }
}
