import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import type { ReferralEarningRow } from '@botfleet/dal';
import type { ReferralSummary } from '@botfleet/growth';
import { PageMetaDto, PageQueryDto } from '../common/api-docs';

export class ReferralEarningDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'Who earned it (users.id)' }) referrerId!: string;
  @ApiProperty({ format: 'uuid', description: 'The referred customer who bought' }) referredId!: string;
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ example: 5000, description: 'Credited to the referrer’s wallet (minor units)' }) amountMinor!: number;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'The order was refunded and the commission taken back',
  })
  reversedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static of(r: ReferralEarningRow): ReferralEarningDto {
    return {
      id: r.id,
      referrerId: r.referrerId,
      referredId: r.referredId,
      orderId: r.orderId,
      amountMinor: r.amountMinor,
      reversedAt: r.reversedAt ? r.reversedAt.toISOString() : null,
      createdAt: r.createdAt.toISOString(),
    };
  }
}

export class ReferralSummaryDto {
  @ApiProperty({ example: 'k3x9p2' }) referralCode!: string;
  @ApiProperty({ example: 'ref_k3x9p2', description: 'The /start payload: https://t.me/<bot>?start=<payload>' })
  startPayload!: string;
  @ApiProperty({ description: 'Users who joined by the link' }) joined!: number;
  @ApiProperty({ description: 'Of those, how many have a paid order' }) bought!: number;
  @ApiProperty({ description: 'Commission earned and not reversed (minor units)' }) earnedMinor!: number;
  @ApiProperty({ description: 'Commission taken back after refunds (minor units)' }) reversedMinor!: number;
  @ApiProperty({ example: 10 }) commissionPercent!: number;
  @ApiProperty({ enum: ['first_purchase', 'every_purchase'] }) scope!: 'first_purchase' | 'every_purchase';

  static of(s: ReferralSummary): ReferralSummaryDto {
    return { ...s };
  }
}

export class ReferralEarningPageDto extends PageMetaDto {
  @ApiProperty({ type: [ReferralEarningDto] }) items!: ReferralEarningDto[];
}

export class UserReferralsDto extends ReferralEarningPageDto {
  @ApiProperty({ type: ReferralSummaryDto }) summary!: ReferralSummaryDto;
}

export class ReferralEarningsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this referrer’s earnings' })
  @IsOptional()
  @IsUUID()
  userId?: string;
}
