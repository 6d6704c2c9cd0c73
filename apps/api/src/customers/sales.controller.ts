import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCode } from '@botfleet/common';
import { CustomersService } from '@botfleet/customers';
import { RefundOrderUseCase } from '@botfleet/payments';
import { ApproveReceiptUseCase, RejectReceiptUseCase } from '@botfleet/sales';
import { actorOf, CurrentPrincipal, Principal } from '../auth';
import { ApiErrors } from '../common/api-docs';
import {
  CardPaymentDto,
  CardPaymentListQueryDto,
  CardPaymentPageDto,
  OrderDto,
  OrderListQueryDto,
  OrderPageDto,
  RejectCardPaymentDto,
} from './dto/customer.dto';

const notFoundOnBadId = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError(ErrorCode.NOT_FOUND, 'Not found'),
});

/** Orders and card-to-card review over REST; approval here and by the admin-chat button is one use case. */
@ApiTags('sales')
@ApiBearerAuth()
@Controller('v1/bots/:botId')
export class SalesController {
  constructor(
    private readonly customers: CustomersService,
    private readonly approveReceipt: ApproveReceiptUseCase,
    private readonly rejectReceipt: RejectReceiptUseCase,
    private readonly refundOrder: RefundOrderUseCase,
  ) {}

  @Get('orders')
  @ApiOperation({ summary: 'Orders, newest first, filtered by status, method, user and creation time' })
  @ApiResponse({ status: 200, type: OrderPageDto })
  @ApiErrors(400, 404)
  async orders(@Param('botId') botId: string, @Query() q: OrderListQueryDto): Promise<OrderPageDto> {
    const { from, to, ...filter } = q;
    const page = await this.customers.listOrders(botId, {
      ...filter,
      from: from ? new Date(from) : undefined,
      to: to ? new Date(to) : undefined,
    });
    return { ...page, items: page.items.map((o) => OrderDto.of(o, this.refundOrder.refundable(o))) };
  }

  @Get('card-payments')
  @ApiOperation({ summary: 'Card-to-card payments, newest first (?status=pending for the review queue)' })
  @ApiResponse({ status: 200, type: CardPaymentPageDto })
  @ApiErrors(400, 404)
  async list(@Param('botId') botId: string, @Query() q: CardPaymentListQueryDto): Promise<CardPaymentPageDto> {
    const page = await this.customers.listCardPayments(botId, q);
    return { ...page, items: page.items.map(CardPaymentDto.of) };
  }

  @Get('card-payments/:id')
  @ApiResponse({ status: 200, type: CardPaymentDto })
  @ApiErrors(404)
  async get(@Param('botId') botId: string, @Param('id', notFoundOnBadId) id: string): Promise<CardPaymentDto> {
    return CardPaymentDto.of(await this.customers.getCardPayment(botId, id));
  }

  @Post('card-payments/:id/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve the receipt: the order is paid and the VPN account is provisioned' })
  @ApiResponse({ status: 200, type: CardPaymentDto })
  @ApiErrors(403, 404, 409)
  async approve(
    @Param('botId') botId: string,
    @Param('id', notFoundOnBadId) id: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<CardPaymentDto> {
    return CardPaymentDto.of(await this.approveReceipt.execute({ botId, paymentId: id, actor: actorOf(p) }));
  }

  @Post('card-payments/:id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject the receipt with a reason; the user is told and may send another' })
  @ApiResponse({ status: 200, type: CardPaymentDto })
  @ApiErrors(400, 403, 404, 409)
  async reject(
    @Param('botId') botId: string,
    @Param('id', notFoundOnBadId) id: string,
    @Body() dto: RejectCardPaymentDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<CardPaymentDto> {
    return CardPaymentDto.of(
      await this.rejectReceipt.execute({ botId, paymentId: id, actor: actorOf(p), reason: dto.reason }),
    );
  }
}
