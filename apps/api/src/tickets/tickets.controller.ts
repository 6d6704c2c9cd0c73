import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCode } from '@botfleet/common';
import { CloseTicketUseCase, OpenShopTicketUseCase, ReplyToTicketUseCase, SupportQueries } from '@botfleet/support';
import { actorOf, CurrentPrincipal, Principal } from '../auth';
import { ApiErrors, PageQueryDto } from '../common/api-docs';
import { requireIdempotencyKey } from '../common/idempotency-key';
import {
  TicketCustomerDto,
  TicketDetailDto,
  TicketDto,
  TicketListQueryDto,
  TicketMessageDto,
  OpenTicketDto,
  TicketMessagePageDto,
  TicketPageDto,
  TicketReplyDto,
} from './dto/ticket.dto';

const notFoundOnBadId = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError(ErrorCode.NOT_FOUND, 'Not found'),
});

/**
 * Support tickets over REST: the same use cases as the admin chat. A reply is stored with the ticket and
 * delivered to the customer by the worker after the commit (job outbox), and shown in the admin chat.
 */
@ApiTags('tickets')
@ApiBearerAuth()
@Controller('v1/bots/:botId/tickets')
export class TicketsController {
  constructor(
    private readonly queries: SupportQueries,
    private readonly reply: ReplyToTicketUseCase,
    private readonly close: CloseTicketUseCase,
    private readonly open: OpenShopTicketUseCase,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Tickets, latest activity first (?status=open for the ones waiting for support)' })
  @ApiResponse({ status: 200, type: TicketPageDto })
  @ApiErrors(400, 404)
  async list(@Param('botId') botId: string, @Query() q: TicketListQueryDto): Promise<TicketPageDto> {
    const page = await this.queries.list(botId, q);
    return { ...page, items: page.items.map(TicketDto.of) };
  }

  @Post()
  @ApiOperation({
    summary: 'Open a ticket to a customer: the customer gets the message in the bot',
    description:
      'The ticket gets the bot’s next number and is `answered` (waiting for the customer, who answers in the bot). ' +
      'Support tickets must be on (403 FEATURE_NOT_ALLOWED). A customer of another bot: 404. A customer who has a ' +
      'ticket that is not closed: 409 CONFLICT with details.ticketNumber (answer that one).',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      '1-100 of A-Z a-z 0-9 _ . : -; the same key again (a retry) returns the first ticket and sends nothing',
  })
  @ApiResponse({ status: 201, type: TicketDetailDto })
  @ApiErrors(400, 403, 404, 409)
  async openTicket(
    @Param('botId') botId: string,
    @Body() dto: OpenTicketDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key: string | undefined,
  ): Promise<TicketDetailDto> {
    const { ticket } = await this.open.execute({
      botId,
      userId: dto.userId,
      actor: actorOf(p),
      subject: dto.subject,
      text: dto.text,
      idempotencyKey: key === undefined ? undefined : requireIdempotencyKey(key),
    });
    return this.get(botId, ticket.id);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One ticket with its customer and its first 100 messages' })
  @ApiResponse({ status: 200, type: TicketDetailDto })
  @ApiErrors(404)
  async get(@Param('botId') botId: string, @Param('id', notFoundOnBadId) id: string): Promise<TicketDetailDto> {
    const ticket = await this.queries.get(botId, id);
    const [messages, card] = await Promise.all([
      this.queries.messages(botId, id, { pageSize: 100 }),
      this.queries.customerCard(botId, ticket.userId),
    ]);
    return {
      ...TicketDto.of(ticket),
      customer: card ? TicketCustomerDto.of(card.user) : null,
      messages: messages.items.map(TicketMessageDto.of),
    };
  }

  @Get(':id/messages')
  @ApiOperation({ summary: 'The ticket’s messages, oldest first' })
  @ApiResponse({ status: 200, type: TicketMessagePageDto })
  @ApiErrors(400, 404)
  async messages(
    @Param('botId') botId: string,
    @Param('id', notFoundOnBadId) id: string,
    @Query() q: PageQueryDto,
  ): Promise<TicketMessagePageDto> {
    const page = await this.queries.messages(botId, id, { page: q.page, pageSize: q.pageSize });
    return { ...page, items: page.items.map(TicketMessageDto.of) };
  }

  @Post(':id/messages')
  @ApiOperation({ summary: 'Answer as the shop: the ticket becomes answered and the customer gets it in the bot' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      '1-100 of A-Z a-z 0-9 _ . : -; the same key again (a retry) returns the first answer and sends nothing',
  })
  @ApiResponse({ status: 201, type: TicketMessageDto })
  @ApiErrors(400, 403, 404, 409)
  async answer(
    @Param('botId') botId: string,
    @Param('id', notFoundOnBadId) id: string,
    @Body() dto: TicketReplyDto,
    @CurrentPrincipal() p: Principal,
    @Headers('idempotency-key') key: string | undefined,
  ): Promise<TicketMessageDto> {
    const { message } = await this.reply.execute({
      botId,
      ticketId: id,
      actor: actorOf(p),
      content: { text: dto.text },
      idempotencyKey: key === undefined ? undefined : requireIdempotencyKey(key),
    });
    return TicketMessageDto.of(message);
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close the ticket; the customer is told' })
  @ApiResponse({ status: 200, type: TicketDto })
  @ApiErrors(404, 409)
  async closeTicket(
    @Param('botId') botId: string,
    @Param('id', notFoundOnBadId) id: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<TicketDto> {
    return TicketDto.of(await this.close.execute({ botId, ticketId: id, by: { kind: 'admin', actor: actorOf(p) } }));
  }
}
