import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min, NotEquals, ValidateIf } from 'class-validator';
import { MAX_MINOR } from '@botfleet/common';
import { PageMetaDto } from '../../common/api-docs';

/** The largest single top-up or price (minor units, MAX_MINOR): far above any real one, far below 2^53. */
export const MAX_TOP_UP_MINOR = MAX_MINOR;

export class WholesalePriceDto {
  @ApiProperty({ example: 50000, description: 'Charged per plan sold (minor units)' }) perPlanMinor!: number;
  @ApiProperty({ example: 2000, description: 'Charged per GB of traffic sold' }) perGbMinor!: number;
  @ApiProperty({ example: 100, description: 'Charged per subscription day sold' }) perDayMinor!: number;
  @ApiProperty({ example: 200, description: 'GB counted for an unlimited-traffic plan' }) unlimitedTrafficGb!: number;
  @ApiProperty({ example: 0, description: 'Charged per free trial given (its traffic counts as sold)' })
  trialMinor!: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) updatedAt!: string | null;
}

export class SetWholesalePriceDto {
  @ApiProperty({ example: 50000, minimum: 0, maximum: MAX_TOP_UP_MINOR })
  @IsInt()
  @Min(0)
  @Max(MAX_TOP_UP_MINOR)
  perPlanMinor!: number;

  @ApiProperty({ example: 2000, minimum: 0, maximum: MAX_TOP_UP_MINOR })
  @IsInt()
  @Min(0)
  @Max(MAX_TOP_UP_MINOR)
  perGbMinor!: number;

  @ApiProperty({ example: 100, minimum: 0, maximum: MAX_TOP_UP_MINOR })
  @IsInt()
  @Min(0)
  @Max(MAX_TOP_UP_MINOR)
  perDayMinor!: number;

  @ApiProperty({ example: 200, minimum: 0, maximum: 100000 })
  @IsInt()
  @Min(0)
  @Max(100_000)
  unlimitedTrafficGb!: number;

  @ApiPropertyOptional({
    example: 0,
    minimum: 0,
    maximum: MAX_TOP_UP_MINOR,
    description: 'Charged per free trial given; absent keeps the current one (0 unless set)',
  })
  // Absent keeps it; null is not a price (400 naming the field), never read as "absent".
  @ValidateIf((_: unknown, v: unknown) => v !== undefined)
  @IsInt()
  @Min(0)
  @Max(MAX_TOP_UP_MINOR)
  trialMinor?: number;
}

export class WalletDto {
  @ApiProperty({ format: 'uuid' }) botId!: string;
  @ApiProperty({ example: 'IRR' }) currency!: string;
  @ApiProperty({ example: 1000000 }) balanceMinor!: number;
  @ApiProperty({ example: 50000, description: 'Reserved for sales in progress' }) heldMinor!: number;
  @ApiProperty({ example: 950000 }) availableMinor!: number;
  @ApiProperty({ type: WholesalePriceDto }) wholesalePrice!: WholesalePriceDto;
}

export class LedgerEntryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) botId!: string;
  @ApiProperty({ enum: ['top_up', 'charge', 'hold', 'capture', 'release', 'adjustment', 'refund'] }) type!: string;
  @ApiProperty({ example: 1000000 }) amountMinor!: number;
  @ApiProperty({ example: 1000000 }) balanceAfterMinor!: number;
  @ApiProperty({ example: 0 }) heldAfterMinor!: number;
  @ApiProperty({ example: 'IRR' }) currency!: string;
  @ApiProperty({ nullable: true, type: String }) reference!: string | null;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
  @ApiProperty({ example: 'master:master' }) createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class LedgerPageDto extends PageMetaDto {
  @ApiProperty({ type: [LedgerEntryDto] }) items!: LedgerEntryDto[];
}

export class TopUpDto {
  @ApiProperty({
    example: 1000000,
    minimum: 1,
    maximum: MAX_TOP_UP_MINOR,
    description: 'Minor units of the bot currency; a top-up that would take the balance past 2^53-1 is a 400',
  })
  @IsInt()
  @Min(1)
  @Max(MAX_TOP_UP_MINOR)
  amountMinor!: number;

  @ApiPropertyOptional({ example: 'Bank transfer 2024-05-01', maxLength: 500, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  note?: string;
}

export class AdjustWalletDto {
  @ApiProperty({
    example: -2250000,
    minimum: -MAX_TOP_UP_MINOR,
    maximum: MAX_TOP_UP_MINOR,
    description:
      'Signed minor units, never 0: a credit (+) or a debit (-). A debit that would take the free balance ' +
      '(balance minus held) below zero is 409 INSUFFICIENT_WHOLESALE_BALANCE',
  })
  @IsInt()
  @NotEquals(0)
  @Min(-MAX_TOP_UP_MINOR)
  @Max(MAX_TOP_UP_MINOR)
  amountMinor!: number;

  @ApiProperty({
    example: 'Mistyped top-up of 2024-05-01 (2,500,000 instead of 250,000)',
    minLength: 3,
    maxLength: 300,
  })
  @IsString()
  @Length(3, 300)
  @Matches(/\S/, { message: 'note must not be blank' })
  note!: string;
}
