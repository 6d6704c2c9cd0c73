import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { OPERATOR_AUDIT_ACTIONS } from '@botfleet/operator';
import { PageMetaDto, PageQueryDto } from '../../common/api-docs';

/** `2025-01-31` (the start of that UTC day) or a full ISO-8601 date-time; anything else stays a string (a 400). */
const toDate = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value)
    ? new Date(/T/.test(value) ? value : `${value}T00:00:00Z`)
    : value;

/** `?page=&pageSize=&actor=&action=&botId=&from=&to=` of the operator's audit log. */
export class AdminAuditLogQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    example: 'master:master',
    maxLength: 100,
    description:
      'Exactly as the entry names its actor: `master:master` (the master token), `master:tg:<id>` ' +
      '(an operator in the master bot or the web console), `invite:<id>` (an onboarding by invite)',
  })
  @IsOptional()
  @Matches(/^[a-z_]{1,20}:[A-Za-z0-9:._-]{1,79}$/, { message: 'actor must look like master:master or master:tg:<id>' })
  actor?: string;

  @ApiPropertyOptional({ enum: OPERATOR_AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(OPERATOR_AUDIT_ACTIONS)
  action?: (typeof OPERATOR_AUDIT_ACTIONS)[number];

  @ApiPropertyOptional({ format: 'uuid', description: 'Only entries about this bot' })
  @IsOptional()
  @IsUUID('all', { message: 'botId must be a UUID' })
  botId?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2025-01-01T00:00:00Z',
    description: 'From this instant on (inclusive); a bare date is the start of that UTC day',
  })
  @IsOptional()
  @Transform(toDate)
  @IsDate({ message: 'from must be an ISO-8601 date or date-time' })
  from?: Date;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2025-02-01T00:00:00Z',
    description: 'Up to this instant (inclusive); a bare date is the start of that UTC day',
  })
  @IsOptional()
  @Transform(toDate)
  @IsDate({ message: 'to must be an ISO-8601 date or date-time' })
  to?: Date;
}

export class AdminAuditBotDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ nullable: true, type: String, description: 'null when the bot row is gone' }) name!: string | null;
}

export class AdminAuditEntryDto {
  @ApiProperty({ example: '42' }) id!: string;
  @ApiProperty({ example: 'master:master', description: 'Who did it: master:master, master:tg:<id>, invite:<id>' })
  actor!: string;
  @ApiProperty({ enum: OPERATOR_AUDIT_ACTIONS }) action!: string;
  @ApiProperty({ nullable: true, type: String, example: 'vpn_panel' }) targetType!: string | null;
  @ApiProperty({ nullable: true, type: String }) targetId!: string | null;
  @ApiProperty({ type: AdminAuditBotDto, nullable: true, description: 'The bot the change concerns, if any' })
  bot!: AdminAuditBotDto | null;
  @ApiProperty({ nullable: true, description: 'The target before the change (credentials removed)' }) before!: unknown;
  @ApiProperty({ nullable: true, description: 'The target after the change (credentials removed)' }) after!: unknown;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class AdminAuditLogPageDto extends PageMetaDto {
  @ApiProperty({ type: [AdminAuditEntryDto] }) items!: AdminAuditEntryDto[];
}
