import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsDate,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { PageMetaDto, PageQueryDto } from '../../common/api-docs';
import { BotDto } from '../../bots/dto/bot.dto';
import { MaxJsonLength } from '../../common/validators';

const Present = () => ValidateIf((_: unknown, v: unknown) => v !== undefined);
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const BOT_STATUSES = ['active', 'paused', 'suspended', 'token_invalid', 'deleted'] as const;
const PANEL_TYPES = ['remnawave', 'marzban', 'xui'] as const;
const INVITE_STATES = ['active', 'used', 'revoked', 'expired'] as const;
/** Credentials and settings are small objects; a JSON text longer than this is refused. */
const MAX_OBJECT_JSON = 8_192;

// ---------- bots ----------

export class ListBotsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: BOT_STATUSES, description: 'Default: every bot but deleted ones' })
  @IsOptional()
  @IsIn(BOT_STATUSES)
  status?: (typeof BOT_STATUSES)[number];

  @ApiPropertyOptional({ example: 'vpn', maxLength: 100, description: 'Part of the name or Telegram username' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  search?: string;
}

export class BotSummaryDto extends BotDto {
  @ApiProperty({ example: 12, description: 'Paid orders (paid, fulfilling, fulfilled)' }) salesCount!: number;
  @ApiProperty({ example: 1200000, description: 'Their total, minor units of currency' }) revenueMinor!: number;
}

export class BotSummaryPageDto extends PageMetaDto {
  @ApiProperty({ type: [BotSummaryDto] }) items!: BotSummaryDto[];
}

export class SuspendBotDto {
  @ApiPropertyOptional({
    example: 'Unpaid invoice',
    maxLength: 300,
    description: "Told to the bot's owner and kept in both audit logs",
  })
  // Absent means no reason; null is not one (a 400 naming the field, never read as absent).
  @Present()
  @Transform(trim)
  @IsString()
  @Length(1, 300)
  reason?: string;
}

export class SetFeatureAllowedDto {
  @ApiProperty({ example: true }) @IsBoolean() allowed!: boolean;
}

/** A feature as the operator sees it (catalogue FeatureDto is the tenant's view; distinct schema names). */
export class AdminFeatureDto {
  @ApiProperty({ example: 'zarinpal' }) key!: string;
  @ApiProperty() description!: string;
  @ApiProperty() enabled!: boolean;
  @ApiProperty() allowed!: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true }) config!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) configSchema!: unknown;
}

// ---------- invites ----------

export class ListInvitesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: INVITE_STATES })
  @IsOptional()
  @IsIn(INVITE_STATES)
  state?: (typeof INVITE_STATES)[number];
}

export class CreateInviteDto {
  @ApiPropertyOptional({ example: 'For Ali (Tehran reseller)', maxLength: 200, nullable: true, type: String })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  note?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    type: String,
    nullable: true,
    example: '2030-01-01T00:00:00Z',
    description: 'Must be in the future; null = never expires',
  })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : value))
  @IsDate({ message: 'expiresAt must be an ISO-8601 date-time' })
  expiresAt?: Date;
}

export class InviteDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'inv_x8Zq…', description: 'Give this to the reseller; single use' }) code!: string;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
  @ApiProperty({ enum: INVITE_STATES }) state!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) usedAt!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) usedByBotId!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revokedAt!: string | null;
  @ApiProperty({ example: 'master:master' }) createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class InvitePageDto extends PageMetaDto {
  @ApiProperty({ type: [InviteDto] }) items!: InviteDto[];
}

// ---------- panels ----------

export class CreatePanelDto {
  @ApiProperty({ example: 'Frankfurt 1', maxLength: 100 })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ enum: PANEL_TYPES })
  @IsIn(PANEL_TYPES)
  type!: (typeof PANEL_TYPES)[number];

  @ApiProperty({ example: 'https://panel.example.com', maxLength: 500 })
  @IsString()
  @MaxLength(500)
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'], require_tld: false, disallow_auth: true })
  baseUrl!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { apiKey: 'remnawave-api-key' },
    description: 'remnawave: { apiKey }; marzban and xui: { username, password }. Stored encrypted, never returned.',
  })
  @IsObject()
  @MaxJsonLength(MAX_OBJECT_JSON)
  credentials!: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: {},
    description: 'Per type: marzban { proxies, inbounds? }, xui { inboundId, subscriptionBaseUrl, flow? }',
    nullable: true,
  })
  @IsOptional()
  @IsObject()
  @MaxJsonLength(MAX_OBJECT_JSON)
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({ type: String, example: 'DE', maxLength: 100, nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  location?: string | null;

  @ApiPropertyOptional({
    example: 1000,
    minimum: 0,
    maximum: 1000000,
    nullable: true,
    description: 'null = the default',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  capacity?: number;

  @ApiPropertyOptional({ default: true, nullable: true, description: 'null = the default' })
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}

export class UpdatePanelDto {
  @ApiPropertyOptional({ example: 'Frankfurt 1', maxLength: 100 })
  @Present()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ enum: PANEL_TYPES })
  @Present()
  @IsIn(PANEL_TYPES)
  type?: (typeof PANEL_TYPES)[number];

  @ApiPropertyOptional({ example: 'https://panel.example.com', maxLength: 500 })
  @Present()
  @IsString()
  @MaxLength(500)
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'], require_tld: false, disallow_auth: true })
  baseUrl?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Replaces the stored credentials' })
  @Present()
  @IsObject()
  @MaxJsonLength(MAX_OBJECT_JSON)
  credentials?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @Present()
  @IsObject()
  @MaxJsonLength(MAX_OBJECT_JSON)
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({ type: String, example: 'DE', maxLength: 100, nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  location?: string | null;

  @ApiPropertyOptional({ example: 1000, minimum: 0, maximum: 1000000 })
  @Present()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  capacity?: number;

  @ApiPropertyOptional()
  @Present()
  @IsBoolean()
  isActive?: boolean;
}

export class PanelDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: PANEL_TYPES }) type!: string;
  @ApiProperty() baseUrl!: string;
  @ApiProperty({ example: true, description: 'Credentials are never returned' }) hasCredentials!: boolean;
  @ApiProperty({ type: 'object', additionalProperties: true }) settings!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String }) location!: string | null;
  @ApiProperty() capacity!: number;
  @ApiProperty() activeUsers!: number;
  @ApiProperty() isActive!: boolean;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastHealthAt!: string | null;
  @ApiProperty({ nullable: true, type: Boolean }) lastHealthOk!: boolean | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

// ---------- stats ----------

class CountByStatusDto {
  @ApiProperty() total!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, example: { active: 10, paused: 1 } })
  byStatus!: Record<string, number>;
}
class UsersStatsDto {
  @ApiProperty() total!: number;
  @ApiProperty() blocked!: number;
}
class ActiveCountDto {
  @ApiProperty() active!: number;
}
class SalesStatsDto {
  @ApiProperty({ example: 'IRR' }) currency!: string;
  @ApiProperty() orders!: number;
  @ApiProperty() revenueMinor!: number;
}
class WalletStatsDto {
  @ApiProperty({ example: 'IRR' }) currency!: string;
  @ApiProperty() balanceMinor!: number;
  @ApiProperty() heldMinor!: number;
}
class PanelStatsDto {
  @ApiProperty() total!: number;
  @ApiProperty() active!: number;
}
class InviteStatsDto {
  @ApiProperty() active!: number;
  @ApiProperty() used!: number;
}
export class PlatformStatsDto {
  @ApiProperty({ type: CountByStatusDto }) bots!: CountByStatusDto;
  @ApiProperty({ type: UsersStatsDto }) users!: UsersStatsDto;
  @ApiProperty({ type: ActiveCountDto }) subscriptions!: ActiveCountDto;
  @ApiProperty({ type: [SalesStatsDto] }) sales!: SalesStatsDto[];
  @ApiProperty({ type: [WalletStatsDto] }) wallets!: WalletStatsDto[];
  @ApiProperty({ type: PanelStatsDto }) panels!: PanelStatsDto;
  @ApiProperty({ type: InviteStatsDto }) invites!: InviteStatsDto;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
}
