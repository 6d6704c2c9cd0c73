import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { TELEGRAM_TOKEN_PATTERN } from '@botfleet/bot-api';
import { ADMIN_ROLES, type AdminRole } from '@botfleet/bots';

export const LANGUAGE_VALUES = ['fa', 'en', 'ru'] as const;
const MAX_ID = Number.MAX_SAFE_INTEGER;
const MAX_INT32 = 2_147_483_647;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const stripAt = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().replace(/^@/, '') : value);
/** For PATCH fields that may be left out but not set to null. */
const Present = () => ValidateIf((_: unknown, v: unknown) => v !== undefined);

const TOKEN_MESSAGE = 'telegramBotToken must look like <bot id>:<secret>, as @BotFather gives it';
const USERNAME = /^[A-Za-z][A-Za-z0-9_]{4,31}$/;
const USERNAME_MESSAGE = 'supportUsername must be a Telegram username (5-32 letters, digits or _)';

export class CreateBotDto {
  @ApiProperty({ example: 'Fast VPN shop', minLength: 1, maxLength: 100 })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({
    example: '7000000001:AAexampleexampleexampleexampleexample',
    description: 'From @BotFather. Checked with getMe, stored encrypted, never returned.',
    maxLength: 100,
  })
  @IsString()
  @Length(1, 100)
  @Matches(TELEGRAM_TOKEN_PATTERN, { message: TOKEN_MESSAGE })
  telegramBotToken!: string;

  @ApiProperty({ example: 123456789, description: "The reseller's Telegram user id; the bot's first admin" })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  ownerTelegramId!: number;

  @ApiPropertyOptional({ example: 'inv_x8Zq…', description: 'Required unless the caller uses the master token' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  inviteCode?: string;

  @ApiPropertyOptional({ enum: LANGUAGE_VALUES, default: 'fa' })
  @IsOptional()
  @IsIn(LANGUAGE_VALUES)
  defaultLanguage?: 'fa' | 'en' | 'ru';

  @ApiPropertyOptional({ example: 'IRR', default: 'IRR', description: 'ISO 4217' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as IRR' })
  currency?: string;

  @ApiPropertyOptional({ example: 'my_support', description: 'Telegram username, with or without @' })
  @IsOptional()
  @Transform(stripAt)
  @IsString()
  @Matches(USERNAME, { message: USERNAME_MESSAGE })
  supportUsername?: string;

  @ApiPropertyOptional({ example: -1001234567890, description: 'Telegram chat id of the admin group' })
  @IsOptional()
  @IsInt()
  @Min(-MAX_ID)
  @Max(MAX_ID)
  adminChatId?: number;
}

export class UpdateBotDto {
  @ApiPropertyOptional({ example: 'Fast VPN shop', minLength: 1, maxLength: 100 })
  @Present()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ enum: LANGUAGE_VALUES })
  @Present()
  @IsIn(LANGUAGE_VALUES)
  defaultLanguage?: 'fa' | 'en' | 'ru';

  @ApiPropertyOptional({ example: 'IRR', description: 'ISO 4217' })
  @Present()
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as IRR' })
  currency?: string;

  @ApiPropertyOptional({ type: String, example: 'my_support', nullable: true, description: 'null clears it' })
  @IsOptional()
  @Transform(stripAt)
  @IsString()
  @Matches(USERNAME, { message: USERNAME_MESSAGE })
  supportUsername?: string | null;

  @ApiPropertyOptional({ type: Number, example: -1001234567890, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(-MAX_ID)
  @Max(MAX_ID)
  adminChatId?: number | null;

  @ApiPropertyOptional({ type: Number, example: 12, nullable: true, description: 'Forum topic for admin messages' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  adminTopicId?: number | null;

  @ApiPropertyOptional({ type: Number, example: 13, nullable: true, description: 'Forum topic for card receipts' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  cardReceiptTopicId?: number | null;

  @ApiPropertyOptional({ type: Number, example: -1009876543210, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(-MAX_ID)
  @Max(MAX_ID)
  notificationGroupId?: number | null;

  @ApiPropertyOptional({ type: Number, example: 14, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_INT32)
  notificationTopicId?: number | null;

  @ApiPropertyOptional({
    enum: ['active', 'paused'],
    description: 'Pause or resume the bot. A suspended bot is resumed only by the platform.',
  })
  @Present()
  @IsIn(['active', 'paused'])
  status?: 'active' | 'paused';
}

export class ReplaceTelegramTokenDto {
  @ApiProperty({ example: '7000000001:AAanotherexampleexampleexampleexample', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @Matches(TELEGRAM_TOKEN_PATTERN, { message: TOKEN_MESSAGE })
  telegramBotToken!: string;

  @ApiPropertyOptional({
    default: false,
    description: 'Master only: accept a token of a different Telegram bot',
  })
  @IsOptional()
  @IsBoolean()
  allowDifferentBot?: boolean;
}

export class BotAdminEntryDto {
  @ApiProperty({ example: 987654321, description: 'Telegram user id' })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  telegramId!: number;

  @ApiProperty({
    enum: ADMIN_ROLES,
    example: 'admin',
    description:
      'owner: everything (only the bot owner); admin: receipts, customers, plans, cards, texts, broadcasts, tickets; ' +
      'support: tickets and customer lookup',
  })
  @IsIn(ADMIN_ROLES)
  role!: AdminRole;
}

/** Either `admins` (with roles) or the older `telegramIds` (each an `admin`), not both. */
export class SetBotAdminsDto {
  @ApiPropertyOptional({
    type: [BotAdminEntryDto],
    maxItems: 20,
    description: 'The admins with their roles; the owner is always kept as owner (max 20 with the owner)',
  })
  @ValidateIf((o: SetBotAdminsDto) => o.admins !== undefined)
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => BotAdminEntryDto)
  admins?: BotAdminEntryDto[];

  @ApiPropertyOptional({
    type: [Number],
    example: [123456789, 987654321],
    maxItems: 20,
    description: 'Older form: Telegram user ids, each an admin; the owner is always kept (max 20 with the owner)',
  })
  @ValidateIf((o: SetBotAdminsDto) => o.admins === undefined || o.telegramIds !== undefined)
  @IsArray({ message: 'send admins: [{ telegramId, role }] (or the older telegramIds: [ids])' })
  @ArrayMaxSize(20)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_ID, { each: true })
  telegramIds?: number[];
}

// ---------- responses ----------

export class BotDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Fast VPN shop' }) name!: string;
  @ApiProperty({ example: 'fastvpn_bot' }) telegramUsername!: string;
  @ApiProperty({ example: 7000000001 }) telegramBotId!: number;
  @ApiProperty({ enum: ['active', 'paused', 'suspended', 'token_invalid', 'deleted'] }) status!: string;
  @ApiProperty() isMaster!: boolean;
  @ApiProperty({ example: 123456789 }) ownerTelegramId!: number;
  @ApiProperty({ enum: LANGUAGE_VALUES }) defaultLanguage!: string;
  @ApiProperty({ example: 'IRR' }) currency!: string;
  @ApiProperty({ nullable: true, type: String }) supportUsername!: string | null;
  @ApiProperty({ nullable: true, type: Number }) adminChatId!: number | null;
  @ApiProperty({ nullable: true, type: Number }) adminTopicId!: number | null;
  @ApiProperty({ nullable: true, type: Number }) cardReceiptTopicId!: number | null;
  @ApiProperty({ nullable: true, type: Number }) notificationGroupId!: number | null;
  @ApiProperty({ nullable: true, type: Number }) notificationTopicId!: number | null;
  @ApiProperty({ example: 0, description: 'Wholesale wallet, minor units of currency' }) walletBalanceMinor!: number;
  @ApiProperty({ example: 0 }) walletHeldMinor!: number;
  @ApiProperty({ nullable: true, type: String, example: 'bft_AbC123', description: 'Display only' })
  apiTokenPrefix!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class CreatedBotDto {
  @ApiProperty({ type: BotDto }) bot!: BotDto;
  @ApiProperty({ example: 'bft_…', description: 'Shown only in this response; store it now' }) apiToken!: string;
}

export class ApiTokenDto {
  @ApiProperty({ example: 'bft_…', description: 'Shown only in this response' }) apiToken!: string;
  @ApiProperty({ example: 'bft_AbC123' }) apiTokenPrefix!: string;
}

export class BotAdminsDto {
  @ApiProperty({ example: 123456789 }) ownerTelegramId!: number;
  @ApiProperty({ type: [Number], example: [123456789, 987654321], description: 'The owner first' })
  telegramIds!: number[];
  @ApiProperty({ type: [BotAdminEntryDto], description: 'Every admin with their role, the owner first' })
  admins!: BotAdminEntryDto[];
}
