import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ErrorCode } from '@botfleet/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type LedgerEntryView, WholesaleWalletService } from '@botfleet/billing';
import { BotSettingsService } from '@botfleet/bots';
import { OnboardBotUseCase } from '@botfleet/operator';
import { actorOf, AuthFailureLimiter, CurrentPrincipal, OptionalAuth, Principal } from '../auth';
import { ApiErrors, PageQueryDto } from '../common/api-docs';
import {
  ApiTokenDto,
  BotAdminsDto,
  BotDto,
  CreatedBotDto,
  CreateBotDto,
  ReplaceTelegramTokenDto,
  SetBotAdminsDto,
  UpdateBotDto,
} from './dto/bot.dto';
import { LedgerPageDto, WalletDto } from './dto/wallet.dto';
import { ledgerCsv, wantsCsv } from './ledger-csv';

/** Rows read per query while the CSV export walks the whole ledger. */
const CSV_BATCH = 1000;

/** Onboarding and the bot itself (API.md "Onboarding and the bot itself"), plus its wallet. */
@ApiTags('bots')
@ApiBearerAuth()
@Controller('v1/bots')
export class BotsController {
  constructor(
    private readonly onboard: OnboardBotUseCase,
    private readonly bots: BotSettingsService,
    private readonly wallet: WholesaleWalletService,
    private readonly limiter: AuthFailureLimiter,
  ) {}

  @Post()
  @OptionalAuth()
  @ApiOperation({
    summary: 'Register a bot',
    description:
      'With an invite code and no token, or with the master token. The Telegram token is checked with getMe. ' +
      'The API token in the answer is shown only here.',
  })
  @ApiResponse({ status: 201, type: CreatedBotDto })
  @ApiErrors(400, 403, 409, 422, 429, 503)
  async create(
    @Body() dto: CreateBotDto,
    @Req() req: FastifyRequest,
    @CurrentPrincipal() principal?: Principal,
  ): Promise<CreatedBotDto> {
    if (principal?.kind === 'master') return this.onboard.execute(dto, actorOf(principal));
    // An invite code is a credential too: wrong ones count towards the same per-address limit as bad tokens.
    const address = AuthFailureLimiter.addressOf(req);
    await this.limiter.assertAllowed(address);
    try {
      return await this.onboard.execute(dto, principal ? actorOf(principal) : undefined);
    } catch (err) {
      if (DomainError.is(err, ErrorCode.INVITE_INVALID)) await this.limiter.recordFailure(address);
      throw err;
    }
  }

  @Get(':botId')
  @ApiOperation({ summary: 'The bot: settings, status, wallet balance (never the Telegram token)' })
  @ApiResponse({ status: 200, type: BotDto })
  @ApiErrors(404)
  get(@Param('botId') botId: string): Promise<BotDto> {
    return this.bots.get(botId);
  }

  @Patch(':botId')
  @ApiOperation({
    summary: 'Change settings; pause or resume with status',
    description: 'currency cannot change once the bot has orders or balances (409 CURRENCY_LOCKED).',
  })
  @ApiResponse({ status: 200, type: BotDto })
  @ApiErrors(400, 403, 404, 409)
  update(@Param('botId') botId: string, @Body() dto: UpdateBotDto, @CurrentPrincipal() p: Principal): Promise<BotDto> {
    return this.bots.update(botId, dto, actorOf(p));
  }

  @Put(':botId/telegram-token')
  @ApiOperation({
    summary: 'Replace the Telegram token',
    description: 'Checked with getMe; must be the same Telegram bot unless the master sets allowDifferentBot.',
  })
  @ApiResponse({ status: 200, type: BotDto })
  @ApiErrors(400, 403, 404, 409, 422, 503)
  replaceTelegramToken(
    @Param('botId') botId: string,
    @Body() dto: ReplaceTelegramTokenDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<BotDto> {
    return this.bots.replaceTelegramToken(botId, dto.telegramBotToken, actorOf(p), dto.allowDifferentBot ?? false);
  }

  @Post(':botId/api-token/rotate')
  @HttpCode(200)
  @ApiOperation({ summary: 'New API token (shown once); the old one stops working at once' })
  @ApiResponse({ status: 200, type: ApiTokenDto })
  @ApiErrors(403, 404)
  rotateApiToken(@Param('botId') botId: string, @CurrentPrincipal() p: Principal): Promise<ApiTokenDto> {
    return this.bots.rotateApiToken(botId, actorOf(p));
  }

  @Delete(':botId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop and soft-delete the bot; its API token dies, its data is kept' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiErrors(403, 404)
  async remove(@Param('botId') botId: string, @CurrentPrincipal() p: Principal): Promise<void> {
    await this.bots.delete(botId, actorOf(p));
  }

  @Get(':botId/admins')
  @ApiOperation({ summary: "The bot's Telegram admins (the owner first)" })
  @ApiResponse({ status: 200, type: BotAdminsDto })
  @ApiErrors(404)
  admins(@Param('botId') botId: string): Promise<BotAdminsDto> {
    return this.bots.getAdmins(botId);
  }

  @Put(':botId/admins')
  @ApiOperation({
    summary: 'Replace the Telegram admins with their roles; the owner is always kept as owner',
    description:
      '`{ admins: [{ telegramId, role }] }`, or the older `{ telegramIds: [...] }` (each an admin). ' +
      'The owner cannot be demoted or removed; no one else can be made owner.',
  })
  @ApiResponse({ status: 200, type: BotAdminsDto })
  @ApiErrors(400, 403, 404)
  setAdmins(
    @Param('botId') botId: string,
    @Body() dto: SetBotAdminsDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<BotAdminsDto> {
    if (dto.admins !== undefined && dto.telegramIds !== undefined) {
      const error = 'send either admins or telegramIds, not both';
      throw new DomainError(ErrorCode.VALIDATION_FAILED, error, [{ field: 'telegramIds', errors: [error] }]);
    }
    if (dto.admins !== undefined) return this.bots.setAdminRoles(botId, dto.admins, actorOf(p));
    return this.bots.setAdmins(botId, dto.telegramIds ?? [], actorOf(p));
  }

  @Get(':botId/wallet')
  @ApiOperation({ summary: 'The wholesale wallet: balance, held, available, wholesale price' })
  @ApiResponse({ status: 200, type: WalletDto })
  @ApiErrors(404)
  getWallet(@Param('botId') botId: string): Promise<WalletDto> {
    return this.wallet.wallet(botId);
  }

  @Get(':botId/wallet/ledger')
  @ApiOperation({
    summary: 'Wallet ledger, newest first',
    description: 'With `Accept: text/csv`: every entry as a CSV file, newest first (page and pageSize are ignored).',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiResponse({ status: 200, type: LedgerPageDto })
  @ApiErrors(400, 404)
  async ledger(
    @Param('botId') botId: string,
    @Query() q: PageQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<LedgerPageDto | string> {
    if (!wantsCsv(accept)) return this.wallet.ledger(botId, q.page, q.pageSize);
    const entries: LedgerEntryView[] = [];
    for (let page = 1; ; page++) {
      const batch = await this.wallet.ledger(botId, page, CSV_BATCH);
      entries.push(...batch.items);
      if (batch.items.length < CSV_BATCH || entries.length >= batch.total) break;
    }
    void res
      .header('Content-Type', 'text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="wallet-ledger-${botId}.csv"`)
      .header('Cache-Control', 'no-store');
    return ledgerCsv(entries);
  }
}
