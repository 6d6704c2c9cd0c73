import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, ValidateBy, ValidationOptions } from 'class-validator';
import { checkStatsRange, STATS_DEFAULT_DAYS, STATS_MAX_DAYS, StatsRangeQuery } from '@botfleet/customers';

/** This side of the `from`/`to` pair passes the domain's range rules (format, order, length). */
function IsStatsRangeEnd(options?: ValidationOptions): PropertyDecorator {
  const problemsOf = (field: string, object: object) =>
    checkStatsRange(object as StatsRangeQuery).filter((p) => p.field === field);
  return ValidateBy(
    {
      name: 'isStatsRangeEnd',
      validator: {
        validate: (_value: unknown, args) => (args ? problemsOf(args.property, args.object).length === 0 : false),
        defaultMessage: (args) =>
          args
            ? problemsOf(args.property, args.object)
                .map((p) => p.error)
                .join('; ')
            : 'invalid date range',
      },
    },
    options,
  );
}

const RANGE_RULES =
  "Inclusive day YYYY-MM-DD of the shop's calendar (its time_zone configuration, Asia/Tehran unless set). " +
  `Without from: the ${STATS_DEFAULT_DAYS} days ending on to; without to: today in the shop's time zone. ` +
  `from must not be after to, and the range may span at most ${STATS_MAX_DAYS} days.`;

export class StatsQueryDto {
  @ApiPropertyOptional({ format: 'date', example: '2025-01-01', description: RANGE_RULES })
  @IsOptional()
  @IsStatsRangeEnd()
  from?: string;

  @ApiPropertyOptional({ format: 'date', example: '2025-01-30', description: RANGE_RULES })
  @IsOptional()
  @IsStatsRangeEnd()
  to?: string;
}

export class StatsTotalsDto {
  @ApiProperty({ example: 12, description: 'Orders paid in the range and not since refunded or failed' })
  sales!: number;
  @ApiProperty({
    example: 3_600_000,
    description: 'Sum of those orders’ amountMinor, in the bot currency (saturates at 2^53-1)',
  })
  revenueMinor!: number;
  @ApiProperty({
    example: 120_000,
    description: 'Promo-code discounts given on those orders, in the bot currency (revenue is after them)',
  })
  discountMinor!: number;
  @ApiProperty({
    example: 900_000,
    description: 'What those orders cost the shop in wholesale (on the plans, never on the discounted prices)',
  })
  wholesaleMinor!: number;
  @ApiProperty({ example: 40, description: 'Users who first started the bot in the range' }) newUsers!: number;
  @ApiProperty({ example: 95, description: 'Subscriptions active now (not limited to the range)' })
  activeSubscriptions!: number;
  @ApiProperty({
    example: 536_870_912_000,
    description: 'Traffic the bot has sold, all time (not limited to the range); saturates at 2^53-1',
  })
  trafficSoldBytes!: number;
  @ApiProperty({
    example: 214_748_364_800,
    description:
      'Traffic used by its subscriptions as of the last panel sync (not limited to the range); saturates at 2^53-1',
  })
  trafficConsumedBytes!: number;
}

export class StatsDayDto {
  @ApiProperty({ format: 'date', example: '2025-01-01', description: "A calendar day in the shop's time zone" })
  date!: string;
  @ApiProperty({ example: 1 }) sales!: number;
  @ApiProperty({ example: 300_000 }) revenueMinor!: number;
  @ApiProperty({ example: 3 }) newUsers!: number;
}

export class BotStatsDto {
  @ApiProperty({ format: 'date', example: '2025-01-01' }) from!: string;
  @ApiProperty({ format: 'date', example: '2025-01-30' }) to!: string;
  @ApiProperty({
    example: 'Asia/Tehran',
    description: "The IANA time zone whose calendar days from, to and byDay are (the shop's time_zone configuration)",
  })
  timeZone!: string;
  @ApiProperty({ example: 'IRR', description: 'ISO 4217 code of the bot; money fields are minor units of it' })
  currency!: string;
  @ApiProperty({ type: StatsTotalsDto }) totals!: StatsTotalsDto;
  @ApiProperty({
    type: [StatsDayDto],
    description: 'One entry for every day of the range, oldest first, zeros included',
  })
  byDay!: StatsDayDto[];
}
