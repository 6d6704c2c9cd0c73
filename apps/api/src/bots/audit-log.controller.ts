import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuditService } from '@botfleet/audit';
import type { AuditLogEntity } from '@botfleet/dal';
import { ApiErrors, PageMetaDto, PageQueryDto } from '../common/api-docs';

export class AuditLogEntryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['master', 'tenant_api', 'bot_admin', 'system'] }) actorType!: string;
  @ApiProperty({ example: '123456789', description: 'The Telegram id of a bot admin, the token or operator id' })
  actorId!: string;
  @ApiProperty({ nullable: true, type: String, enum: ['owner', 'admin', 'support'], description: 'Bot admins only' })
  actorRole!: string | null;
  @ApiProperty({ example: 'card_payment.approve' }) action!: string;
  @ApiProperty({ nullable: true, type: String, example: 'card_payment' }) targetType!: string | null;
  @ApiProperty({ nullable: true, type: String }) targetId!: string | null;
  @ApiProperty({ nullable: true, description: 'The target before the change (secrets removed)' }) before!: unknown;
  @ApiProperty({ nullable: true, description: 'The target after the change (secrets removed)' }) after!: unknown;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static of(e: AuditLogEntity): AuditLogEntryDto {
    return {
      id: e.id,
      actorType: e.actorType,
      actorId: e.actorId,
      actorRole: e.actorRole,
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId,
      before: e.before ?? null,
      after: e.after ?? null,
      createdAt: e.createdAt.toISOString(),
    };
  }
}

export class AuditLogPageDto extends PageMetaDto {
  @ApiProperty({ type: [AuditLogEntryDto] }) items!: AuditLogEntryDto[];
}

/** The tenant's audit log: who (API token, operator, a bot admin and their role) changed what, newest first. */
@ApiTags('bots')
@ApiBearerAuth()
@Controller('v1/bots/:botId')
export class AuditLogController {
  constructor(private readonly audit: AuditService) {}

  @Get('audit-log')
  @ApiOperation({ summary: "The bot's audit log, newest first" })
  @ApiResponse({ status: 200, type: AuditLogPageDto })
  @ApiErrors(400, 404)
  async list(@Param('botId') botId: string, @Query() q: PageQueryDto): Promise<AuditLogPageDto> {
    const page = await this.audit.page(botId, q.page, q.pageSize);
    return { ...page, items: page.items.map(AuditLogEntryDto.of) };
  }
}
