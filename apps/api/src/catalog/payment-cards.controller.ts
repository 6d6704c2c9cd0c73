import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CardRotationService, PaymentCardsService, PaymentCardView, RotationResult } from '@botfleet/catalog';
import { actorOf, CurrentPrincipal, Principal } from '../auth';
import { ApiErrors } from '../common/api-docs';
import {
  CreatePaymentCardDto,
  NextCardDto,
  NextCardQueryDto,
  PaymentCardDto,
  UpdatePaymentCardDto,
} from './dto/payment-card.dto';

/** The tenant's payment cards for card-to-card payments (API.md "Payment cards"). */
@ApiTags('payment-cards')
@ApiBearerAuth()
@Controller('v1/bots/:botId/payment-cards')
export class PaymentCardsController {
  constructor(
    private readonly cards: PaymentCardsService,
    private readonly rotation: CardRotationService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Cards of the bot (oldest first), with counters and today’s usage' })
  @ApiResponse({ status: 200, type: [PaymentCardDto] })
  @ApiErrors(404)
  list(@Param('botId') botId: string): Promise<PaymentCardView[]> {
    return this.cards.list(botId);
  }

  @Post()
  @ApiOperation({ summary: 'Add a card', description: 'The same number twice for one bot: 409 CONFLICT.' })
  @ApiResponse({ status: 201, type: PaymentCardDto })
  @ApiErrors(400, 403, 404, 409)
  create(
    @Param('botId') botId: string,
    @Body() dto: CreatePaymentCardDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<PaymentCardView> {
    return this.cards.create(botId, dto, actorOf(p));
  }

  // Declared before ':cardId' so "next" is not taken for a card id.
  @Get('next')
  @ApiOperation({
    summary: 'The card the next buyer would see',
    description:
      'Does not consume a turn. For random and weighted rotation this is one possible draw ' +
      '(deterministic: false). 409 NO_PAYMENT_CARD when no active card can take the amount today.',
  })
  @ApiResponse({ status: 200, type: NextCardDto })
  @ApiErrors(400, 404, 409)
  next(@Param('botId') botId: string, @Query() query: NextCardQueryDto): Promise<RotationResult> {
    return this.rotation.peekCard(botId, query.amountMinor ?? 0);
  }

  @Get(':cardId')
  @ApiParam({ name: 'cardId', format: 'uuid' })
  @ApiResponse({ status: 200, type: PaymentCardDto })
  @ApiErrors(404)
  get(@Param('botId') botId: string, @Param('cardId') cardId: string): Promise<PaymentCardView> {
    return this.cards.get(botId, cardId);
  }

  @Patch(':cardId')
  @ApiOperation({
    summary: 'Change a card',
    description: 'The counters are read-only. The number of a card that already has payments cannot change (409).',
  })
  @ApiParam({ name: 'cardId', format: 'uuid' })
  @ApiResponse({ status: 200, type: PaymentCardDto })
  @ApiErrors(400, 403, 404, 409)
  update(
    @Param('botId') botId: string,
    @Param('cardId') cardId: string,
    @Body() dto: UpdatePaymentCardDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<PaymentCardView> {
    return this.cards.update(botId, cardId, dto, actorOf(p));
  }

  @Delete(':cardId')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Remove a card',
    description:
      'A card with card-to-card payments is archived (kept for their history, never shown again); ' +
      'otherwise it is deleted. Either way it leaves the list and rotation.',
  })
  @ApiParam({ name: 'cardId', format: 'uuid' })
  @ApiResponse({ status: 204, description: 'Removed' })
  @ApiErrors(403, 404)
  async remove(
    @Param('botId') botId: string,
    @Param('cardId') cardId: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<void> {
    await this.cards.remove(botId, cardId, actorOf(p));
  }
}
