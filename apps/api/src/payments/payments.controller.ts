import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCode } from '@botfleet/common';
import { PaymentsQueries, RefundGatewayPaymentUseCase } from '@botfleet/payments';
import { actorOf, CurrentPrincipal, Principal } from '../auth';
import { ApiErrors } from '../common/api-docs';
import { PaymentDto, PaymentListQueryDto, PaymentPageDto, UserPaymentListQueryDto } from './dto/payment.dto';

const notFoundOnBadId = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError(ErrorCode.NOT_FOUND, 'Not found'),
});

const dateOf = (s?: string) => (s ? new Date(s) : undefined);

/**
 * The tenant's payments of every method (card to card and the online gateways) in one history, and the refund of
 * a gateway payment through the payments port (once; Zarinpal has no refund API: 422 REFUND_NOT_SUPPORTED).
 */
@ApiTags('payments')
@ApiBearerAuth()
@Controller('v1/bots/:botId')
export class PaymentsController {
  constructor(
    private readonly queries: PaymentsQueries,
    private readonly refundPayment: RefundGatewayPaymentUseCase,
  ) {}

  @Get('payments')
  @ApiOperation({ summary: 'Payments of every method, newest first, filtered by method, status, purpose, user, dates' })
  @ApiResponse({ status: 200, type: PaymentPageDto })
  @ApiErrors(400, 404)
  async list(@Param('botId') botId: string, @Query() q: PaymentListQueryDto): Promise<PaymentPageDto> {
    const { page, pageSize, from, to, ...filter } = q;
    const result = await this.queries.list(botId, { ...filter, from: dateOf(from), to: dateOf(to) }, page, pageSize);
    return { ...result, items: result.items.map(PaymentDto.of) };
  }

  @Get('users/:userId/payments')
  @ApiOperation({ summary: "A user's payments and top-ups of every method, newest first" })
  @ApiResponse({ status: 200, type: PaymentPageDto })
  @ApiErrors(400, 404)
  async ofUser(
    @Param('botId') botId: string,
    @Param('userId', notFoundOnBadId) userId: string,
    @Query() q: UserPaymentListQueryDto,
  ): Promise<PaymentPageDto> {
    const { page, pageSize, from, to, ...filter } = q;
    const result = await this.queries.list(
      botId,
      { ...filter, userId, from: dateOf(from), to: dateOf(to) },
      page,
      pageSize,
    );
    return { ...result, items: result.items.map(PaymentDto.of) };
  }

  @Get('payments/:id')
  @ApiResponse({ status: 200, type: PaymentDto })
  @ApiErrors(404)
  async get(@Param('botId') botId: string, @Param('id', notFoundOnBadId) id: string): Promise<PaymentDto> {
    return PaymentDto.of(await this.queries.getView(botId, id));
  }

  @Post('payments/:id/refund')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Refund a gateway payment through its gateway',
    description:
      'Once: the order is refunded, the wholesale charge reversed (only within 48 hours of the payment; later it ' +
      'stays: the platform delivered the service), what the order gave its subscription taken back ' +
      '(its days and traffic; the account switched off when nothing paid remains) (or, for money ' +
      'that sits in the wallet, the wallet debited — 409 INSUFFICIENT_BALANCE when it was spent), then the ' +
      "gateway's refund. A second call answers 200 with the payment as it is. Card-to-card payments and gateways " +
      'without a refund API (Zarinpal v4): 422 REFUND_NOT_SUPPORTED.',
  })
  @ApiResponse({ status: 200, type: PaymentDto })
  @ApiErrors(404, 409, 422, 503)
  async refund(
    @Param('botId') botId: string,
    @Param('id', notFoundOnBadId) id: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<PaymentDto> {
    const view = await this.queries.getView(botId, id);
    if (view.method === 'card_to_card') {
      throw new DomainError(ErrorCode.REFUND_NOT_SUPPORTED, 'A card-to-card payment is refunded by the shop itself');
    }
    await this.refundPayment.execute({ botId, paymentId: id, actor: actorOf(p) });
    return PaymentDto.of(await this.queries.getView(botId, id));
  }
}
