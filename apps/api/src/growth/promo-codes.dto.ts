import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { MAX_MINOR } from '@botfleet/common';
import type { PromocodeEntity } from '@botfleet/dal';
import { PROMO_KINDS, PromoKind } from '@botfleet/growth';
import { PageMetaDto } from '../common/api-docs';

/** Optional but never null (null is refused, naming the field); IsOptional would let null through. */
const IfPresent = () => ValidateIf((_: unknown, v: unknown) => v !== undefined);

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export class PromoCodeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'WELCOME10', description: 'Stored upper case; customers type it in any case' }) code!: string;
  @ApiProperty({ enum: PROMO_KINDS }) kind!: PromoKind;
  @ApiProperty({
    example: 10,
    description: 'percent: 1–99; fixed and balance: minor units; extra_days: days added to the subscription',
  })
  value!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Total uses allowed (null: unlimited)' })
  maxUses!: number | null;
  @ApiProperty({ example: 1 }) perUserLimit!: number;
  @ApiProperty({ description: 'Uses so far (an order that expires or is refunded gives its use back)' })
  usesCount!: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) validFrom!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) validUntil!: string | null;
  @ApiProperty() isActive!: boolean;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Only this plan (null: any)' })
  planId!: string | null;
  @ApiProperty({ description: 'Only for a customer with no paid order yet' }) firstPurchaseOnly!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static of(c: PromocodeEntity): PromoCodeDto {
    return {
      id: c.id,
      code: c.code,
      kind: c.kind,
      value: c.value,
      maxUses: c.maxUses,
      perUserLimit: c.perUserLimit,
      usesCount: c.usesCount,
      validFrom: iso(c.validFrom),
      validUntil: iso(c.validUntil),
      isActive: c.isActive,
      planId: c.planId,
      firstPurchaseOnly: c.firstPurchaseOnly,
      createdAt: c.createdAt.toISOString(),
    };
  }
}

export class PromoCodePageDto extends PageMetaDto {
  @ApiProperty({ type: [PromoCodeDto] }) items!: PromoCodeDto[];
}

export class UpdatePromoCodeDto {
  @ApiPropertyOptional({ example: 10 })
  @IfPresent()
  @IsInt()
  @Min(1)
  @Max(MAX_MINOR)
  value?: number;

  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  maxUses?: number | null;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 1 })
  @IfPresent()
  @IsInt()
  @Min(1)
  @Max(1000)
  perUserLimit?: number;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String })
  @IsOptional()
  @IsISO8601({ strict: true })
  validFrom?: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String })
  @IsOptional()
  @IsISO8601({ strict: true })
  validUntil?: string | null;

  @ApiPropertyOptional() @IfPresent() @IsBoolean() isActive?: boolean;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @IsUUID()
  planId?: string | null;

  @ApiPropertyOptional() @IfPresent() @IsBoolean() firstPurchaseOnly?: boolean;
}

export class CreatePromoCodeDto extends OmitType(UpdatePromoCodeDto, ['value'] as const) {
  @ApiProperty({ example: 'WELCOME10', description: '3–32 letters, digits, _ or - (stored upper case)' })
  @IsString()
  @Length(3, 32)
  code!: string;

  @ApiProperty({ enum: PROMO_KINDS })
  @IsIn(PROMO_KINDS)
  kind!: PromoKind;

  @ApiProperty({ example: 10 })
  @IsInt()
  @Min(1)
  @Max(MAX_MINOR)
  value!: number;
}

export class PromoCodeDeletedDto {
  @ApiProperty({ enum: ['deleted', 'deactivated'], description: 'A code that was used is deactivated instead' })
  outcome!: 'deleted' | 'deactivated';
}
