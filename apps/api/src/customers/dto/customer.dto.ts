import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Length, Max, Min, NotEquals } from 'class-validator';
import { MAX_MINOR } from '@botfleet/common';
import type { CardPaymentEntity, OrderEntity, SubscriptionEntity, TransactionEntity, UserEntity } from '@botfleet/dal';
import { ORDER_PAYMENT_METHODS, wholesaleRefundableUntil } from '@botfleet/payments';
import { PageMetaDto, PageQueryDto } from '../../common/api-docs';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
/** One adjustment moves at most MAX_MINOR; the balance itself stays within 0..2^53-1. */
const MAX_ADJUST = MAX_MINOR;

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 123456789 }) telegramId!: number;
  @ApiProperty({ nullable: true, type: String }) username!: string | null;
  @ApiProperty({ nullable: true, type: String }) firstName!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastName!: string | null;
  @ApiProperty({ nullable: true, enum: ['fa', 'en', 'ru'] }) language!: string | null;
  @ApiProperty({ enum: ['active', 'blocked'] }) status!: string;
  @ApiProperty({ description: 'The user blocked the bot on Telegram' }) blockedBot!: boolean;
  @ApiProperty() referralCode!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) referrerId!: string | null;
  @ApiProperty({ description: 'Wallet balance, minor units' }) balanceMinor!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastSeenAt!: string | null;

  static of(u: UserEntity): UserDto {
    return {
      id: u.id,
      telegramId: u.telegramId,
      username: u.username,
      firstName: u.firstName,
      lastName: u.lastName,
      language: u.language,
      status: u.status,
      blockedBot: u.botBlockedAt !== null,
      referralCode: u.referralCode,
      referrerId: u.referrerId,
      balanceMinor: u.balanceMinor,
      createdAt: u.createdAt.toISOString(),
      lastSeenAt: iso(u.lastSeenAt),
    };
  }
}

export class UserPageDto extends PageMetaDto {
  @ApiProperty({ type: [UserDto] }) items!: UserDto[];
}

export class UserListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Telegram id, or part of username / name / referral code', maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  search?: string;

  @ApiPropertyOptional({ enum: ['active', 'blocked'] })
  @IsOptional()
  @IsIn(['active', 'blocked'])
  status?: 'active' | 'blocked';
}

export class UpdateUserDto {
  @ApiProperty({ enum: ['active', 'blocked'] })
  @IsIn(['active', 'blocked'])
  status!: 'active' | 'blocked';
}

export class BalanceAdjustmentDto {
  @ApiProperty({
    example: 50000,
    minimum: -MAX_ADJUST,
    maximum: MAX_ADJUST,
    description:
      'Signed minor units: positive credits, negative debits (never below 0; a balance past 2^53-1 is refused)',
  })
  @IsInt()
  @NotEquals(0)
  @Min(-MAX_ADJUST)
  @Max(MAX_ADJUST)
  amountMinor!: number;

  @ApiProperty({ example: 'Compensation for downtime', maxLength: 300 })
  @IsString()
  @Length(1, 300)
  reason!: string;
}

export class TransactionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['deposit', 'purchase', 'refund', 'referral', 'promo', 'adjustment'] }) type!: string;
  @ApiProperty() amountMinor!: number;
  @ApiProperty() balanceAfterMinor!: number;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static of(t: TransactionEntity): TransactionDto {
    return {
      id: t.id,
      type: t.type,
      amountMinor: t.amountMinor,
      balanceAfterMinor: t.balanceAfterMinor,
      note: t.note,
      createdAt: t.createdAt.toISOString(),
    };
  }
}

export class BalanceAdjustmentResultDto {
  @ApiProperty({ type: TransactionDto }) transaction!: TransactionDto;
  @ApiProperty() balanceMinor!: number;
}

export class SubscriptionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) planId!: string | null;
  @ApiProperty({ enum: ['pending', 'active', 'expired', 'disabled', 'failed'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) subscriptionUrl!: string | null;
  @ApiProperty({ description: '0 = unlimited; at most 2^53-1' }) trafficLimitBytes!: number;
  @ApiProperty({ description: 'As of the last panel sync; at most 2^53-1' }) trafficUsedBytes!: number;
  @ApiProperty() deviceLimit!: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) startsAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt!: string | null;
  @ApiProperty() autoRenew!: boolean;
  @ApiProperty() isTrial!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static of(s: SubscriptionEntity): SubscriptionDto {
    return {
      id: s.id,
      userId: s.userId,
      planId: s.planId,
      status: s.status,
      subscriptionUrl: s.subscriptionUrl,
      trafficLimitBytes: s.trafficLimitBytes,
      trafficUsedBytes: s.trafficUsedBytes,
      deviceLimit: s.deviceLimit,
      startsAt: iso(s.startsAt),
      expiresAt: iso(s.expiresAt),
      autoRenew: s.autoRenew,
      isTrial: s.isTrial,
      createdAt: s.createdAt.toISOString(),
    };
  }
}

export class SubscriptionPageDto extends PageMetaDto {
  @ApiProperty({ type: [SubscriptionDto] }) items!: SubscriptionDto[];
}

export class SubscriptionListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() userId?: string;
  @ApiPropertyOptional({ enum: ['pending', 'active', 'expired', 'disabled', 'failed'] })
  @IsOptional()
  @IsIn(['pending', 'active', 'expired', 'disabled', 'failed'])
  status?: SubscriptionEntity['status'];
}

const ORDER_STATUSES = ['pending', 'paid', 'fulfilling', 'fulfilled', 'rejected', 'expired', 'failed', 'refunded'];
/** card_to_card, wallet, free and every registered gateway (libs/payments gateways.ts): a new gateway is listed. */
const METHODS = [...ORDER_PAYMENT_METHODS];

export class OrderDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ format: 'uuid' }) planId!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) subscriptionId!: string | null;
  @ApiProperty({ enum: ['new', 'renewal', 'trial'] }) kind!: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status!: string;
  @ApiProperty({ enum: METHODS, nullable: true }) method!: string | null;
  @ApiProperty() amountMinor!: number;
  @ApiProperty({ example: 'IRR' }) currency!: string;
  @ApiProperty({ description: 'Wholesale cost charged to the tenant wallet' }) wholesaleMinor!: number;
  @ApiProperty() periodDays!: number;
  @ApiProperty() trafficBytes!: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) paidAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) fulfilledAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) failureReason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description:
      "Until when a refund of this order gives the shop its wholesale charge back (48 hours after the payment); a " +
      'later refund still refunds the customer, but the charge stays. Null for an order never paid',
  })
  wholesaleRefundableUntil!: string | null;
  @ApiProperty({
    description:
      'Whether the shop may refund it with POST …/orders/{id}/refund now (paid or delivered, something was paid, not ' +
      'by a gateway that refunds through its own API): the rule of RefundOrderUseCase, which the bot uses too',
  })
  refundable!: boolean;

  /** `refundable`: RefundOrderUseCase.refundable(o), decided by libs/payments, never here. */
  static of(o: OrderEntity, refundable: boolean): OrderDto {
    return {
      id: o.id,
      userId: o.userId,
      planId: o.planId,
      subscriptionId: o.subscriptionId,
      kind: o.kind,
      status: o.status,
      method: o.paymentMethod,
      amountMinor: o.amountMinor,
      currency: o.currency,
      wholesaleMinor: o.wholesaleMinor,
      periodDays: o.periodDays,
      trafficBytes: o.trafficBytes,
      paidAt: iso(o.paidAt),
      fulfilledAt: iso(o.fulfilledAt),
      failureReason: o.failureReason,
      createdAt: o.createdAt.toISOString(),
      wholesaleRefundableUntil: iso(wholesaleRefundableUntil(o)),
      refundable,
    };
  }
}

export class OrderPageDto extends PageMetaDto {
  @ApiProperty({ type: [OrderDto] }) items!: OrderDto[];
}

export class OrderListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() userId?: string;
  @ApiPropertyOptional({ enum: ORDER_STATUSES }) @IsOptional() @IsIn(ORDER_STATUSES) status?: OrderEntity['status'];
  @ApiPropertyOptional({ enum: METHODS, enumName: 'OrderPaymentMethod' })
  @IsOptional()
  @IsIn(METHODS)
  method?: NonNullable<OrderEntity['paymentMethod']>;

  @ApiPropertyOptional({ format: 'date-time', description: 'Created at or after (inclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Created before (exclusive)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

const PAYMENT_STATUSES = ['awaiting_receipt', 'pending', 'approved', 'rejected', 'expired'];

export class CardPaymentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ enum: ['order', 'topup'], description: '`order` pays an order; `topup` credits the wallet' })
  purpose!: 'order' | 'topup';
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'null for a wallet top-up' })
  orderId!: string | null;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'A top-up started for an order the wallet could not cover',
  })
  forOrderId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) cardId!: string | null;
  @ApiProperty() amountMinor!: number;
  @ApiProperty({ example: 'C2C-261122-K7M2QX' }) trackingNumber!: string;
  @ApiProperty({ enum: PAYMENT_STATUSES }) status!: string;
  @ApiProperty({ enum: ['photo', 'text'], nullable: true }) receiptType!: string | null;
  @ApiProperty({ nullable: true, type: String }) receiptText!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Telegram file_id of the receipt photo' })
  receiptFileId!: string | null;
  @ApiProperty({ description: 'The receipt photo was already used on another payment of this bot' })
  isFlagged!: boolean;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
  @ApiProperty({ nullable: true, type: String }) reviewedBy!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) reviewedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) rejectionReason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static of(p: CardPaymentEntity): CardPaymentDto {
    return {
      id: p.id,
      userId: p.userId,
      purpose: p.purpose,
      orderId: p.orderId,
      forOrderId: p.forOrderId,
      cardId: p.cardId,
      amountMinor: p.amountMinor,
      trackingNumber: p.trackingNumber,
      status: p.status,
      receiptType: p.receiptType,
      receiptText: p.receiptText,
      receiptFileId: p.receiptFileId,
      isFlagged: p.isFlagged,
      expiresAt: p.expiresAt.toISOString(),
      reviewedBy: p.reviewedBy,
      reviewedAt: iso(p.reviewedAt),
      rejectionReason: p.rejectionReason,
      createdAt: p.createdAt.toISOString(),
    };
  }
}

export class CardPaymentPageDto extends PageMetaDto {
  @ApiProperty({ type: [CardPaymentDto] }) items!: CardPaymentDto[];
}

export class CardPaymentListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PAYMENT_STATUSES })
  @IsOptional()
  @IsIn(PAYMENT_STATUSES)
  status?: CardPaymentEntity['status'];
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() userId?: string;
  @ApiPropertyOptional({ enum: ['order', 'topup'] })
  @IsOptional()
  @IsIn(['order', 'topup'])
  purpose?: CardPaymentEntity['purpose'];
}

export class RejectCardPaymentDto {
  @ApiProperty({ example: 'The amount does not match', maxLength: 500 })
  @IsString()
  @Length(1, 500)
  reason!: string;
}
