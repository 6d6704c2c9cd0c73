import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdjustWalletUseCase, BotAdminService, TopUpWalletUseCase } from '@botfleet/operator';
import { actorOf, AllowDeletedBot, CurrentPrincipal, MasterOnly, Principal } from '../auth';
import { ApiErrors } from '../common/api-docs';
import { requireIdempotencyKey } from '../common/idempotency-key';
import { BotDto } from '../bots/dto/bot.dto';
import {
  AdjustWalletDto,
  LedgerEntryDto,
  SetWholesalePriceDto,
  TopUpDto,
  WholesalePriceDto,
} from '../bots/dto/wallet.dto';
import {
  AdminFeatureDto,
  BotSummaryPageDto,
  ListBotsQueryDto,
  SetFeatureAllowedDto,
  SuspendBotDto,
} from './dto/admin.dto';

/** The operator's levers over tenants (API.md "Platform"): master token only. */
@ApiTags('admin')
@ApiBearerAuth()
@MasterOnly()
@Controller('v1/admin/bots')
export class AdminBotsController {
  constructor(
    private readonly bots: BotAdminService,
    private readonly topUps: TopUpWalletUseCase,
    private readonly adjustments: AdjustWalletUseCase,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every tenant with status, wallet and sales' })
  @ApiResponse({ status: 200, type: BotSummaryPageDto })
  @ApiErrors(400, 403)
  list(@Query() q: ListBotsQueryDto): Promise<BotSummaryPageDto> {
    return this.bots.list(q);
  }

  @Post(':botId/suspend')
  @HttpCode(200)
  @ApiOperation({ summary: "Suspend a bot: it stops, and its reseller's token gets 403 BOT_SUSPENDED on writes" })
  @ApiResponse({ status: 200, type: BotDto })
  @ApiErrors(400, 403, 404)
  suspend(
    @Param('botId') botId: string,
    @Body() dto: SuspendBotDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<BotDto> {
    return this.bots.suspend(botId, actorOf(p), dto.reason);
  }

  @Post(':botId/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Lift a suspension (the bot becomes active)' })
  @ApiResponse({ status: 200, type: BotDto })
  @ApiErrors(403, 404)
  resume(@Param('botId') botId: string, @CurrentPrincipal() p: Principal): Promise<BotDto> {
    return this.bots.resume(botId, actorOf(p));
  }

  @Post(':botId/restore')
  @HttpCode(200)
  @AllowDeletedBot()
  @ApiOperation({
    summary: 'Bring a deleted bot back, paused, with all its data',
    description:
      'The bot returns `paused` (its owner resumes it) with its customers, wallets, subscriptions, tickets and ' +
      'plans. Its API token stays revoked: the owner (console) or the operator issues a new one with ' +
      '`POST /v1/bots/{botId}/api-token/rotate`. Its console sessions are ended. It keeps its Telegram token; if ' +
      'Telegram no longer accepts it, the bot becomes `token_invalid` once resumed. 404 for an unknown bot; ' +
      '409 CONFLICT when it is not deleted (details.status); 409 BOT_TOKEN_TAKEN when a live tenant now holds the ' +
      'same Telegram bot (details.takenBy: { botId, name, status, telegramUsername }), nothing changed. Audited ' +
      "(bot.restored) in the operator's and the tenant's audit logs.",
  })
  @ApiResponse({ status: 200, type: BotDto })
  @ApiErrors(403, 404, 409)
  restore(@Param('botId') botId: string, @CurrentPrincipal() p: Principal): Promise<BotDto> {
    return this.bots.restore(botId, actorOf(p));
  }

  @Post(':botId/wallet/top-ups')
  @ApiOperation({
    summary: "Top up a tenant's wholesale wallet",
    description:
      'Idempotent: the same Idempotency-Key again returns the first answer and writes nothing; ' +
      'the same key with a different body is 409 IDEMPOTENCY_KEY_REUSED.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: '1-100 of A-Z a-z 0-9 _ . : -' })
  @ApiResponse({ status: 201, type: LedgerEntryDto })
  @ApiErrors(400, 403, 404, 409)
  async topUp(
    @Param('botId') botId: string,
    @Body() dto: TopUpDto,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<LedgerEntryDto> {
    const idempotencyKey = requireIdempotencyKey(key);
    const result = await this.topUps.execute({
      botId,
      amountMinor: dto.amountMinor,
      note: dto.note,
      idempotencyKey,
      actor: actorOf(p),
    });
    if (result.replayed) void res.header('Idempotent-Replayed', 'true');
    return result.entry;
  }

  @Post(':botId/wallet/adjustments')
  @ApiOperation({
    summary: "Correct a tenant's wholesale wallet (a signed adjustment with a note)",
    description:
      'Writes one `adjustment` ledger row: a credit (amountMinor > 0) or a debit (amountMinor < 0). A debit that ' +
      'would take the free balance (balance minus held) below zero is 409 INSUFFICIENT_WHOLESALE_BALANCE and writes ' +
      'nothing. Idempotent: the same Idempotency-Key again returns the first answer and writes nothing; the same key ' +
      'with a different body is 409 IDEMPOTENCY_KEY_REUSED. Audited in the operator audit log (wallet.adjust).',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: '1-100 of A-Z a-z 0-9 _ . : -' })
  @ApiResponse({ status: 201, type: LedgerEntryDto })
  @ApiErrors(400, 403, 404, 409)
  async adjust(
    @Param('botId') botId: string,
    @Body() dto: AdjustWalletDto,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<LedgerEntryDto> {
    const idempotencyKey = requireIdempotencyKey(key);
    const result = await this.adjustments.execute({
      botId,
      amountMinor: dto.amountMinor,
      note: dto.note,
      idempotencyKey,
      actor: actorOf(p),
    });
    if (result.replayed) void res.header('Idempotent-Replayed', 'true');
    return result.entry;
  }

  @Put(':botId/features/:key/allowed')
  @ApiParam({ name: 'key', example: 'zarinpal', description: 'A feature catalogue key' })
  @ApiOperation({ summary: 'Allow or forbid a feature for a bot (forbidding also switches it off)' })
  @ApiResponse({ status: 200, type: AdminFeatureDto })
  @ApiErrors(400, 403, 404)
  setFeatureAllowed(
    @Param('botId') botId: string,
    @Param('key') key: string,
    @Body() dto: SetFeatureAllowedDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<AdminFeatureDto> {
    return this.bots.setFeatureAllowed(botId, key, dto.allowed, actorOf(p));
  }

  @Get(':botId/wholesale-price')
  @ApiOperation({ summary: "The bot's wholesale price (zeros when never set)" })
  @ApiResponse({ status: 200, type: WholesalePriceDto })
  @ApiErrors(403, 404)
  wholesalePrice(@Param('botId') botId: string): Promise<WholesalePriceDto> {
    return this.bots.getWholesalePrice(botId);
  }

  @Put(':botId/wholesale-price')
  @ApiOperation({ summary: "Set the bot's wholesale price" })
  @ApiResponse({ status: 200, type: WholesalePriceDto })
  @ApiErrors(400, 403, 404)
  setWholesalePrice(
    @Param('botId') botId: string,
    @Body() dto: SetWholesalePriceDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<WholesalePriceDto> {
    return this.bots.setWholesalePrice(botId, dto, actorOf(p));
  }
}
