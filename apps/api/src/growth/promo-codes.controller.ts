import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCode } from '@botfleet/common';
import { PromoCodesService } from '@botfleet/growth';
import { actorOf, CurrentPrincipal, Principal } from '../auth';
import { ApiErrors, PageQueryDto } from '../common/api-docs';
import {
  CreatePromoCodeDto,
  PromoCodeDeletedDto,
  PromoCodeDto,
  PromoCodePageDto,
  UpdatePromoCodeDto,
} from './promo-codes.dto';

const notFoundOnBadId = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError(ErrorCode.NOT_FOUND, 'Not found'),
});

const dateOf = (v: string | null | undefined): Date | null | undefined =>
  v === undefined ? undefined : v === null ? null : new Date(v);

/**
 * The tenant's promo codes (feature `promo_codes`, libs/growth/src/promo): kinds percent, fixed, extra_days and
 * balance; optional plan, total and per-user limits, a validity window, first purchase only.
 */
@ApiTags('promo codes')
@ApiBearerAuth()
@Controller('v1/bots/:botId/promo-codes')
export class PromoCodesController {
  constructor(private readonly codes: PromoCodesService) {}

  @Get()
  @ApiOperation({ summary: 'Promo codes, newest first' })
  @ApiResponse({ status: 200, type: PromoCodePageDto })
  @ApiErrors(400, 404)
  async list(@Param('botId') botId: string, @Query() q: PageQueryDto): Promise<PromoCodePageDto> {
    const page = await this.codes.list(botId, q.page, q.pageSize);
    return { ...page, items: page.items.map(PromoCodeDto.of) };
  }

  @Post()
  @ApiOperation({ summary: 'Create a promo code (409 when the code exists)' })
  @ApiResponse({ status: 201, type: PromoCodeDto })
  @ApiErrors(400, 403, 404, 409)
  async create(
    @Param('botId') botId: string,
    @Body() body: CreatePromoCodeDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<PromoCodeDto> {
    const dates = { validFrom: dateOf(body.validFrom), validUntil: dateOf(body.validUntil) };
    const created = await this.codes.create(botId, { ...body, ...dates }, actorOf(p));
    return PromoCodeDto.of(created);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One promo code with its uses so far' })
  @ApiResponse({ status: 200, type: PromoCodeDto })
  @ApiErrors(404)
  async get(@Param('botId') botId: string, @Param('id', notFoundOnBadId) id: string): Promise<PromoCodeDto> {
    return PromoCodeDto.of(await this.codes.get(botId, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a promo code (not its code or kind); maxUses never below the uses so far' })
  @ApiResponse({ status: 200, type: PromoCodeDto })
  @ApiErrors(400, 403, 404)
  async update(
    @Param('botId') botId: string,
    @Param('id', notFoundOnBadId) id: string,
    @Body() body: UpdatePromoCodeDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<PromoCodeDto> {
    const dates = { validFrom: dateOf(body.validFrom), validUntil: dateOf(body.validUntil) };
    const updated = await this.codes.update(botId, id, { ...body, ...dates }, actorOf(p));
    return PromoCodeDto.of(updated);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete an unused promo code; a used one is deactivated (its orders keep it)' })
  @ApiResponse({ status: 200, type: PromoCodeDeletedDto })
  @ApiErrors(403, 404)
  async remove(
    @Param('botId') botId: string,
    @Param('id', notFoundOnBadId) id: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<PromoCodeDeletedDto> {
    return { outcome: await this.codes.remove(botId, id, actorOf(p)) };
  }
}
