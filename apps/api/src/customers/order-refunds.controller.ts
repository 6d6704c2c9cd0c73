import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCode } from '@botfleet/common';
import { ResendSubscriptionLinkUseCase, SubscriptionSwitchService } from '@botfleet/customers';
import { RefundOrderUseCase } from '@botfleet/payments';
import { actorOf, CurrentPrincipal, Principal } from '../auth';
import { ApiErrors } from '../common/api-docs';
import { SubscriptionDto, OrderDto } from './dto/customer.dto';
import { DisableSubscriptionDto, OrderRefundDto, RefundOrderDto, ResendLinkDto } from './dto/refund.dto';

const notFoundOnBadId = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError(ErrorCode.NOT_FOUND, 'Not found'),
});

/** The shop takes a sale back (an order's refund), switches a subscription off by hand, or resends its link. */
@ApiTags('sales')
@ApiBearerAuth()
@Controller('v1/bots/:botId')
export class OrderRefundsController {
  constructor(
    private readonly refundOrder: RefundOrderUseCase,
    private readonly switches: SubscriptionSwitchService,
    private readonly resendLink: ResendSubscriptionLinkUseCase,
  ) {}

  // `:id` like the other refunds of one existing thing (payments/{id}/refund): the order itself is the idempotency key.
  @Post('orders/:id/refund')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Refund a paid order sold by card-to-card receipt, from the wallet, or by Zarinpal / Crypto Pay',
    description:
      'Once, in one transaction: the order becomes refunded, the wholesale charge is reversed when the refund ' +
      'comes within 48 hours of the payment (later it stays: the platform delivered the service; the answer says ' +
      '`wholesaleReversed`), the referral ' +
      "commission paid on it is taken back, `to: wallet` credits the customer's wallet the amount paid (`offline`: " +
      'the shop paid it back itself, only recorded), and the customer is told. On the panel, what the order gave is ' +
      "taken back: its days come off the subscription's end and its traffic package off the limit; when nothing " +
      'paid remains (the order that created the subscription, unless renewals paid for more) the account is ' +
      'switched off. The order is the idempotency key: a second refund answers 409 ALREADY_REFUNDED and changes ' +
      'nothing. An order still being set up on the panel: 409 CONFLICT (retry). Orders paid with Telegram Stars ' +
      'are refunded through POST …/payments/{id}/refund (422 REFUND_NOT_SUPPORTED here, `details.paymentId`).',
  })
  @ApiResponse({ status: 200, type: OrderRefundDto })
  @ApiErrors(400, 403, 404, 409, 422)
  async refund(
    @Param('botId') botId: string,
    @Param('id', notFoundOnBadId) orderId: string,
    @Body() dto: RefundOrderDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<OrderRefundDto> {
    const res = await this.refundOrder.execute({ botId, orderId, reason: dto.reason, to: dto.to, actor: actorOf(p) });
    return {
      order: OrderDto.of(res.order, this.refundOrder.refundable(res.order)),
      walletCreditedMinor: res.walletCreditedMinor,
      wholesaleReversed: res.wholesaleReversed,
    };
  }

  @Post('subscriptions/:id/disable')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Switch a subscription off on its panel by hand',
    description:
      'Queues the switch-off (the worker turns the account off and marks the subscription disabled within ' +
      'seconds); audited with the reason. Already disabled, or without an account (pending, failed): 409 CONFLICT. ' +
      'A later renewal switches it on again.',
  })
  @ApiResponse({ status: 202, type: SubscriptionDto })
  @ApiErrors(400, 403, 404, 409)
  async disable(
    @Param('botId') botId: string,
    @Param('id', notFoundOnBadId) id: string,
    @Body() dto: DisableSubscriptionDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<SubscriptionDto> {
    return SubscriptionDto.of(await this.switches.disable(botId, id, dto.reason, actorOf(p)));
  }

  @Post('subscriptions/:id/resend')
  @HttpCode(202)
  @ApiOperation({
    summary: "Send the customer their subscription's link again",
    description:
      "As the bot's /admin customer card does (its Resend link button): the bot sends the customer the link and its " +
      'QR code again, in their language, within seconds. Presses within the same minute send it once. Only an ' +
      'active subscription has a link to send: pending, failed, expired or disabled answer 409 CONFLICT.',
  })
  @ApiResponse({ status: 202, type: ResendLinkDto })
  @ApiErrors(403, 404, 409)
  async resend(
    @Param('botId') botId: string,
    @Param('id', notFoundOnBadId) id: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<ResendLinkDto> {
    const sub = await this.resendLink.execute({ botId, subscriptionId: id, actor: actorOf(p) });
    return { subscription: SubscriptionDto.of(sub), delivery: 'queued' };
  }
}
