import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import {
  CARD_NUMBER_MAX_INPUT,
  MAX_MINOR,
  PAYMENT_CARD_LIMITS as L,
  ROTATION_STRATEGIES,
  RotationStrategy,
} from '@botfleet/catalog';
import { IsCardNumber, Present } from './catalog-validators';

const NOT_BLANK = /\S/;

export class CreatePaymentCardDto {
  @ApiProperty({
    example: '6037990000000006',
    maxLength: CARD_NUMBER_MAX_INPUT,
    description:
      '12–19 digits, Luhn-checked. Single spaces or hyphens between digit groups and Persian digits are ' +
      'accepted and removed; the card is stored and returned as plain digits.',
  })
  @IsString()
  @MaxLength(CARD_NUMBER_MAX_INPUT)
  @IsCardNumber()
  cardNumber!: string;

  @ApiProperty({ example: 'Ali Rezaei', minLength: 1, maxLength: L.holderNameMaxLength })
  @IsString()
  @Length(1, L.holderNameMaxLength)
  @Matches(NOT_BLANK, { message: 'cardHolderName must not be blank' })
  cardHolderName!: string;

  @ApiPropertyOptional({ example: 'Melli', maxLength: L.bankNameMaxLength, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @Length(1, L.bankNameMaxLength)
  @Matches(NOT_BLANK, { message: 'bankName must not be blank' })
  bankName?: string | null;

  @ApiPropertyOptional({
    enum: ROTATION_STRATEGIES,
    default: 'round_robin',
    description:
      "The bot's strategy is the one most of its active cards have (a tie goes to the oldest card); " +
      'set the same strategy on every card to be sure.',
  })
  @Present()
  @IsIn(ROTATION_STRATEGIES)
  rotationStrategy?: RotationStrategy;

  @ApiPropertyOptional({
    default: 60,
    minimum: L.rotationIntervalMinutes.min,
    maximum: L.rotationIntervalMinutes.max,
    description: 'time_based: minutes this card stays the shown card once it is chosen',
  })
  @Present()
  @IsInt()
  @Min(L.rotationIntervalMinutes.min)
  @Max(L.rotationIntervalMinutes.max)
  rotationIntervalMinutes?: number;

  @ApiPropertyOptional({
    default: 1,
    minimum: L.weight.min,
    maximum: L.weight.max,
    description: 'weighted: share of buyers ∝ weight × (approved + 1) / (approved + rejected + 2)',
  })
  @Present()
  @IsInt()
  @Min(L.weight.min)
  @Max(L.weight.max)
  weight?: number;

  @ApiPropertyOptional({
    example: 500_000_000,
    minimum: L.dailyLimitMinor.min,
    maximum: MAX_MINOR,
    nullable: true,
    type: 'integer',
    description:
      'Most this card may be shown for per day, in minor units of the bot currency (the day is the ' +
      'calendar day in Asia/Tehran). null = no limit.',
  })
  @IsOptional()
  @IsInt()
  @Min(L.dailyLimitMinor.min)
  @Max(L.dailyLimitMinor.max)
  dailyLimitMinor?: number | null;

  @ApiPropertyOptional({ default: true })
  @Present()
  @IsBoolean()
  isActive?: boolean;
}

/**
 * Every field optional; null only where the field is nullable (bankName, dailyLimitMinor).
 * The counters are not fields: sending one is a 400.
 */
export class UpdatePaymentCardDto extends PartialType(CreatePaymentCardDto, { skipNullProperties: false }) {}

// `?amountMinor=` (an empty value) is a value that is not a number: 400 naming the field, never read as "no amount".
const toInt = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : /^\d{1,16}$/.test(String(value)) ? Number(value) : value;

export class NextCardQueryDto {
  @ApiPropertyOptional({
    example: 1_500_000,
    minimum: 0,
    description: 'Amount of the payment (minor units), so cards it would push over their daily limit are skipped',
  })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(MAX_MINOR)
  amountMinor?: number;
}

export class PaymentCardDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '6037990000000006', description: "In full: it is the tenant's own card" })
  cardNumber!: string;
  @ApiProperty({ example: '•••• 0006' }) cardNumberMasked!: string;
  @ApiProperty({ example: 'Ali Rezaei' }) cardHolderName!: string;
  @ApiProperty({ example: 'Melli', nullable: true, type: String }) bankName!: string | null;
  @ApiProperty({ enum: ROTATION_STRATEGIES }) rotationStrategy!: RotationStrategy;
  @ApiProperty({ example: 60 }) rotationIntervalMinutes!: number;
  @ApiProperty({ example: 1 }) weight!: number;
  @ApiProperty({ example: 500_000_000, nullable: true, type: Number }) dailyLimitMinor!: number | null;
  @ApiProperty({ example: 0, description: 'Handed out on this card today (Asia/Tehran day), minor units' })
  usedTodayMinor!: number;
  @ApiProperty({ example: 'IRR' }) currency!: string;
  @ApiProperty({ readOnly: true, description: 'Approved receipts' }) successCount!: number;
  @ApiProperty({ readOnly: true, description: 'Rejected receipts' }) failureCount!: number;
  @ApiProperty({ readOnly: true, description: 'Times shown to a buyer' }) currentUsageCount!: number;
  @ApiProperty({ readOnly: true, nullable: true, type: String, format: 'date-time' }) lastUsedAt!: string | null;
  @ApiProperty() isActive!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class NextCardDto {
  @ApiProperty({ enum: ROTATION_STRATEGIES, description: "The bot's strategy (most common among active cards)" })
  strategy!: RotationStrategy;
  @ApiProperty({ description: 'false for random and weighted: the card shown is one possible draw' })
  deterministic!: boolean;
  @ApiProperty({ type: PaymentCardDto }) card!: PaymentCardDto;
}
