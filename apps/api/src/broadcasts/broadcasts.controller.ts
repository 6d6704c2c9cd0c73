import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError, ErrorCode } from '@botfleet/common';
import {
  audienceOf,
  BROADCAST_PHOTO_MAX_BYTES,
  BROADCAST_PHOTO_TYPES,
  BroadcastsService,
  listedProgress,
} from '@botfleet/broadcasts';
import { actorOf, CurrentPrincipal, Principal } from '../auth';
import { ApiErrors } from '../common/api-docs';
import { AcceptsMultipart, readUpload } from '../http';
import {
  BroadcastDto,
  BroadcastListQueryDto,
  BroadcastPageDto,
  BroadcastPhotoUploadDto,
  CreateBroadcastDto,
  UpdateBroadcastDto,
} from './dto/broadcast.dto';

const notFoundOnBadId = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError(ErrorCode.NOT_FOUND, 'Not found'),
});

/** Broadcasts (API.md: draft → preview → start; progress in GET /{id}). */
@ApiTags('broadcasts')
@ApiBearerAuth()
@Controller('v1/bots/:botId/broadcasts')
export class BroadcastsController {
  constructor(private readonly broadcasts: BroadcastsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create a draft; its preview is sent to previewTelegramId (a bot admin) or the owner',
    description: 'Start it once `previewedAt` is set (the worker sends the preview within seconds).',
  })
  @ApiResponse({ status: 201, type: BroadcastDto })
  @ApiErrors(400, 403, 404)
  async create(
    @Param('botId') botId: string,
    @Body() dto: CreateBroadcastDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<BroadcastDto> {
    return BroadcastDto.of(await this.broadcasts.create(botId, dto, actorOf(p)));
  }

  @Get()
  @ApiOperation({ summary: 'The bot’s broadcasts, newest first' })
  @ApiResponse({ status: 200, type: BroadcastPageDto })
  @ApiErrors(400, 404)
  async list(@Param('botId') botId: string, @Query() q: BroadcastListQueryDto): Promise<BroadcastPageDto> {
    const page = await this.broadcasts.list(botId, q.page, q.pageSize);
    return {
      ...page,
      items: page.items.map((b) =>
        BroadcastDto.of({ broadcast: b, audience: audienceOf(b.filter), progress: listedProgress(b) }),
      ),
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One broadcast with its progress (sent, failed, blocked, remaining, rate, ETA)' })
  @ApiResponse({ status: 200, type: BroadcastDto })
  @ApiErrors(404)
  async get(@Param('botId') botId: string, @Param('id', notFoundOnBadId) id: string): Promise<BroadcastDto> {
    return BroadcastDto.of(await this.broadcasts.get(botId, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a draft; a new preview is sent and must arrive before it starts' })
  @ApiResponse({ status: 200, type: BroadcastDto })
  @ApiErrors(400, 403, 404, 409)
  async update(
    @Param('botId') botId: string,
    @Param('id', notFoundOnBadId) id: string,
    @Body() dto: UpdateBroadcastDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<BroadcastDto> {
    return BroadcastDto.of(await this.broadcasts.update(botId, id, dto, actorOf(p)));
  }

  @Post(':id/photo')
  @HttpCode(200)
  @AcceptsMultipart()
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: BroadcastPhotoUploadDto })
  @ApiOperation({
    summary: 'Upload a picture as the draft’s photo (multipart field `photo`: JPEG, PNG or WebP, at most 5 MB)',
    description:
      'Replaces `photo`; a new preview is sent — it takes the picture to Telegram, whose file_id then becomes ' +
      '`photo` — and must arrive before the draft starts.',
  })
  @ApiResponse({ status: 200, type: BroadcastDto })
  @ApiErrors(400, 403, 404, 409, 413)
  async uploadPhoto(
    @Param('botId') botId: string,
    @Param('id', notFoundOnBadId) id: string,
    @Req() req: FastifyRequest,
    @CurrentPrincipal() p: Principal,
  ): Promise<BroadcastDto> {
    // The draft is looked up first, so another bot's broadcast is a 404 whatever was sent.
    await this.broadcasts.get(botId, id);
    const file = await readUpload(req, {
      field: 'photo',
      maxBytes: BROADCAST_PHOTO_MAX_BYTES,
      mimeTypes: BROADCAST_PHOTO_TYPES,
    });
    return BroadcastDto.of(
      await this.broadcasts.uploadPhoto(botId, id, { data: file.data, contentType: file.mimetype }, actorOf(p)),
    );
  }

  @Post(':id/start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start a previewed draft: its audience is fixed now and sending begins' })
  @ApiResponse({ status: 200, type: BroadcastDto })
  @ApiErrors(403, 404, 409)
  async start(
    @Param('botId') botId: string,
    @Param('id', notFoundOnBadId) id: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<BroadcastDto> {
    return BroadcastDto.of(await this.broadcasts.start(botId, id, actorOf(p)));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a draft or a running broadcast: nothing more is sent' })
  @ApiResponse({ status: 200, type: BroadcastDto })
  @ApiErrors(403, 404, 409)
  async cancel(
    @Param('botId') botId: string,
    @Param('id', notFoundOnBadId) id: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<BroadcastDto> {
    return BroadcastDto.of(await this.broadcasts.cancel(botId, id, actorOf(p)));
  }
}
