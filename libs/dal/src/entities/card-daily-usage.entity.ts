import { Column, Entity, PrimaryColumn } from 'typeorm';
import { BigIntColumn } from './columns';

@Entity('card_daily_usage')
export class CardDailyUsageEntity {
  @PrimaryColumn({ name: 'bot_id', type: 'uuid' }) botId!: string;
  @PrimaryColumn({ name: 'card_id', type: 'uuid' }) cardId!: string;
  @PrimaryColumn({ type: 'date' }) day!: string;
  @Column({ name: 'amount_minor', ...BigIntColumn() }) amountMinor!: number;
  @Column({ type: 'int' }) picks!: number;
}
