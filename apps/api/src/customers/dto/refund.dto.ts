import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import { REFUND_DESTINATIONS, RefundDestination } from '@botfleet/payments';
import { OrderDto, SubscriptionDto } from './customer.dto';

export class RefundOrderDto {
  @ApiProperty({ example: 'Receipt approved by mistake', maxLength: 500 })
  @IsString()
  @Length(1, 500)
  reason!: string;

  @ApiProperty({
    enum: REFUND_DESTINATIONS,
    description:
      "`wallet`: the amount paid is credited to the customer's wallet; `offline`: the shop paid it back itself",
  })
  @IsIn(REFUND_DESTINATIONS)
  to!: RefundDestination;
}

export class OrderRefundDto {
  @ApiProperty({ type: OrderDto }) order!: OrderDto;
  @ApiProperty({ description: "What was credited to the customer's wallet (0 for offline)" })
  walletCreditedMinor!: number;
  @ApiProperty({
    description:
      "Whether the shop's wholesale charge for the order went back to the shop wallet: only when the refund comes " +
      'within 48 hours of the payment; later the customer is still refunded but the charge stays (the platform ' +
      'delivered the service)',
  })
  wholesaleReversed!: boolean;
}

export class DisableSubscriptionDto {
  @ApiProperty({ example: 'Shared the link publicly', maxLength: 500 })
  @IsString()
  @Length(1, 500)
  reason!: string;
}

export class ResendLinkDto {
  @ApiProperty({ type: SubscriptionDto }) subscription!: SubscriptionDto;
  @ApiProperty({
    enum: ['queued'],
    description: "The customer's message is queued: the bot sends the link and its QR code within seconds",
  })
  delivery!: 'queued';
}
