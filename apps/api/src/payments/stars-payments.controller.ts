import { Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCode } from '@botfleet/common';
import { GatewayPaymentEntity } from '@botfleet/dal';
import { PaymentsQueries, RefundGatewayPaymentUseCase, STARS_METHOD } from '@botfleet/payments';
import { actorOf, CurrentPrincipal, Principal } from '../auth';
import { ApiErrors } from '../common/api-docs';

const notFoundOnBadId = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError(ErrorCode.NOT_FOUND, 'Not found'),
});

export class StarsPaymentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) orderId!: string | null;
  @ApiProperty({ enum: ['pending', 'paid', 'failed', 'expired', 'refunded'] }) status!: string;
  @ApiProperty({ example: 250, description: 'Telegram Stars charged' }) amountStars!: number;
  @ApiProperty({ description: 'Minor units of the bot currency the payment is worth' }) amountMinor!: number;
  @ApiProperty({ example: 'IRR' }) currency!: string;
  @ApiProperty({ nullable: true, type: String }) telegramPaymentChargeId!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) paidAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) refundedAt!: string | null;

  static of(p: GatewayPaymentEntity): StarsPaymentDto {
    return {
      id: p.id,
      userId: p.userId,
      orderId: p.orderId,
      status: p.status,
      amountStars: Number(p.gatewayAmount),
      amountMinor: p.amountMinor,
      currency: p.currency,
      telegramPaymentChargeId: p.externalId,
      paidAt: p.paidAt?.toISOString() ?? null,
      refundedAt: p.refundedAt?.toISOString() ?? null,
    };
  }
}

/**
 * Refunds of Telegram Stars payments (API.md). The payment is looked up inside the caller's bot and must be a
 * Stars payment (anything else: 404). The port's refund does the rest, once: the order refunded, the wholesale
 * charge reversed (only within WHOLESALE_REFUND_WINDOW_MS of the payment), what the order gave its subscription taken back (a renewal's days only; the account switched off
 * when nothing paid remains), then Telegram's refundStarPayment (a charge Telegram says was
 * refunded already is a success). A second call answers 200 with the payment as it is (`refunded`).
 */
@ApiTags('payments')
@ApiBearerAuth()
@Controller('v1/bots/:botId/stars-payments')
export class StarsPaymentsController {
  constructor(
    private readonly payments: PaymentsQueries,
    private readonly refundPayment: RefundGatewayPaymentUseCase,
  ) {}

  @Post(':id/refund')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Refund a Telegram Stars payment (order refunded, wholesale reversed within 48 h, days taken back)',
  })
  @ApiResponse({ status: 200, type: StarsPaymentDto })
  @ApiErrors(403, 404, 409, 503)
  async refund(
    @Param('botId') botId: string,
    @Param('id', notFoundOnBadId) id: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<StarsPaymentDto> {
    const payment = await this.payments.get(botId, id);
    if (payment?.gateway !== STARS_METHOD) throw new DomainError(ErrorCode.NOT_FOUND, 'Stars payment not found');
    const r = await this.refundPayment.execute({ botId, paymentId: id, actor: actorOf(p) });
    return StarsPaymentDto.of(r.payment);
  }
}
