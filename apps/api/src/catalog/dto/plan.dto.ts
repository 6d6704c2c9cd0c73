import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { LANGUAGES, PLAN_LIMITS as L } from '@botfleet/catalog';
import { HasOneOf, Present } from './catalog-validators';

const NOT_BLANK = /\S/;

export class PlanNameDto {
  @ApiPropertyOptional({ example: 'یک ماهه', maxLength: L.nameMaxLength })
  @IsOptional()
  @IsString()
  @Length(1, L.nameMaxLength)
  @Matches(NOT_BLANK, { message: 'fa must not be blank' })
  fa?: string;

  @ApiPropertyOptional({ example: '1 month', maxLength: L.nameMaxLength })
  @IsOptional()
  @IsString()
  @Length(1, L.nameMaxLength)
  @Matches(NOT_BLANK, { message: 'en must not be blank' })
  en?: string;

  @ApiPropertyOptional({ example: '1 месяц', maxLength: L.nameMaxLength })
  @IsOptional()
  @IsString()
  @Length(1, L.nameMaxLength)
  @Matches(NOT_BLANK, { message: 'ru must not be blank' })
  ru?: string;
}

export class CreatePlanDto {
  @ApiProperty({ type: PlanNameDto, description: 'Per language; at least one' })
  @IsObject()
  @HasOneOf(LANGUAGES)
  @ValidateNested()
  @Type(() => PlanNameDto)
  name!: PlanNameDto;

  @ApiProperty({ example: 30, minimum: L.periodDays.min, maximum: L.periodDays.max })
  @IsInt()
  @Min(L.periodDays.min)
  @Max(L.periodDays.max)
  periodDays!: number;

  @ApiProperty({
    example: 1_500_000,
    minimum: L.priceMinor.min,
    maximum: L.priceMinor.max,
    description:
      'Integer minor units of the bot currency. 0 only for the trial plan (isTrial: true): a plan priced 0 is ' +
      'never sold, and a free trial plan that stops being the trial is deactivated.',
  })
  @IsInt()
  @Min(L.priceMinor.min)
  @Max(L.priceMinor.max)
  priceMinor!: number;

  @ApiPropertyOptional({
    example: 250,
    minimum: L.priceStars.min,
    maximum: L.priceStars.max,
    nullable: true,
    type: Number,
    description:
      'Price in Telegram Stars (XTR). With the feature telegram_stars on, the bot offers Stars for a plan that ' +
      'has one; null or left out: not sold for Stars.',
  })
  @IsOptional()
  @IsInt()
  @Min(L.priceStars.min)
  @Max(L.priceStars.max)
  priceStars?: number | null;

  @ApiProperty({ example: 50, minimum: 0, maximum: L.trafficLimitGb.max, description: '0 = unlimited' })
  @IsInt()
  @Min(L.trafficLimitGb.min)
  @Max(L.trafficLimitGb.max)
  trafficLimitGb!: number;

  @ApiProperty({ example: 2, minimum: 0, maximum: L.deviceLimit.max, description: '0 = unlimited' })
  @IsInt()
  @Min(L.deviceLimit.min)
  @Max(L.deviceLimit.max)
  deviceLimit!: number;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'An active VPN panel of the platform (GET /v1/bots/{botId}/panels lists them)',
  })
  @IsOptional()
  @IsUUID()
  panelId?: string | null;

  @ApiPropertyOptional({ example: 'Germany', maxLength: L.locationMaxLength, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @Length(1, L.locationMaxLength)
  @Matches(NOT_BLANK, { message: 'location must not be blank' })
  location?: string | null;

  @ApiPropertyOptional({
    minimum: L.sortOrder.min,
    maximum: L.sortOrder.max,
    description: 'Lists are ordered by sortOrder; left out on create: after the last plan',
  })
  @Present()
  @IsInt()
  @Min(L.sortOrder.min)
  @Max(L.sortOrder.max)
  sortOrder?: number;

  @ApiPropertyOptional({ default: true })
  @Present()
  @IsBoolean()
  isActive?: boolean;

  @ApiPropertyOptional({
    default: false,
    description:
      'The free trial plan (one per bot): true here clears it on the other plans and sets the ' +
      'configuration trial_plan_id to this plan; false on the trial plan clears trial_plan_id.',
  })
  @Present()
  @IsBoolean()
  isTrial?: boolean;
}

/** Every field optional; null only where the field is nullable (panelId, location). `name` is replaced whole. */
export class UpdatePlanDto extends PartialType(CreatePlanDto, { skipNullProperties: false }) {}

export class PlanDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: PlanNameDto }) name!: PlanNameDto;
  @ApiProperty({ example: 30 }) periodDays!: number;
  @ApiProperty({ example: 1_500_000 }) priceMinor!: number;
  @ApiProperty({ example: 250, nullable: true, type: Number, description: 'Telegram Stars; null = not for Stars' })
  priceStars!: number | null;
  @ApiProperty({ example: 'IRR' }) currency!: string;
  @ApiProperty({ example: 50, description: '0 = unlimited' }) trafficLimitGb!: number;
  @ApiProperty({ example: 2, description: '0 = unlimited' }) deviceLimit!: number;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) panelId!: string | null;
  @ApiProperty({ nullable: true, type: String }) location!: string | null;
  @ApiProperty({ example: 0 }) sortOrder!: number;
  @ApiProperty() isActive!: boolean;
  @ApiProperty() isTrial!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}
