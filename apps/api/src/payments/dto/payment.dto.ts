import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsUUID } from 'class-validator';
import { PAYMENT_VIEW_METHODS, type PaymentView } from '@botfleet/payments';
import { PageMetaDto, PageQueryDto } from '../../common/api-docs';

const STATUSES = [
  'awaiting_receipt',
  'pending',
  'approved',
  'rejected',
  'paid',
  'failed',
  'expired',
  'refunded',
] as const;
/** card_to_card and every registered gateway (libs/payments gateways.ts): a new gateway is listed. */
const METHODS = [...PAYMENT_VIEW_METHODS];

export class PaymentListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: METHODS,
    enumName: 'PaymentViewMethod',
    description: '`card_to_card` or a gateway (`zarinpal`, `stars`, `cryptobot` …)',
  })
  @IsOptional()
  @IsIn(METHODS)
  method?: string;

  @ApiPropertyOptional({
    enum: STATUSES,
    description:
      "The method's own status: card payments awaiting_receipt/pending/approved/rejected/expired; gateway payments pending/paid/failed/expired/refunded",
  })
  @IsOptional()
  @IsIn(STATUSES)
  status?: (typeof STATUSES)[number];

  @ApiPropertyOptional({ enum: ['order', 'topup'] })
  @IsOptional()
  @IsIn(['order', 'topup'])
  purpose?: 'order' | 'topup';

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this user’s payments' })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Created at or after (inclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Created before (exclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

/** The same filters for one user's history (the user is in the path). */
export class UserPaymentListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: METHODS, enumName: 'PaymentViewMethod' })
  @IsOptional()
  @IsIn(METHODS)
  method?: string;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: (typeof STATUSES)[number];

  @ApiPropertyOptional({ enum: ['order', 'topup'] })
  @IsOptional()
  @IsIn(['order', 'topup'])
  purpose?: 'order' | 'topup';

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class PaymentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'zarinpal', description: '`card_to_card` or the gateway' }) method!: string;
  @ApiProperty({ enum: ['order', 'topup'] }) purpose!: 'order' | 'topup';
  @ApiProperty({ enum: STATUSES }) status!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) orderId!: string | null;
  @ApiProperty({ example: 500000, description: 'Minor units of `currency`' }) amountMinor!: number;
  @ApiProperty({ example: 'IRR' }) currency!: string;
  @ApiProperty({ nullable: true, type: String, example: '500000', description: 'What the gateway charged' })
  gatewayAmount!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'IRR', description: 'IRR / IRT / XTR / an asset' })
  gatewayUnit!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Zarinpal authority, Stars charge id, invoice id' })
  externalId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Card tracking number, or the gateway reference' })
  reference!: string | null;
  @ApiProperty({ description: 'POST …/refund can refund it now' }) refundable!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) paidAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) refundedAt!: string | null;

  static of(v: PaymentView): PaymentDto {
    return { ...v };
  }
}

export class PaymentPageDto extends PageMetaDto {
  @ApiProperty({ type: [PaymentDto] }) items!: PaymentDto[];
}
