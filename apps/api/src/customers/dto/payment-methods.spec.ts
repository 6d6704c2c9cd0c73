import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { NON_GATEWAY_PAYMENT_METHODS } from '@botfleet/dal';
import { GATEWAY_ADAPTERS } from '@botfleet/payments';
import { PaymentListQueryDto, UserPaymentListQueryDto } from '../../payments/dto/payment.dto';
import { OrderDto, OrderListQueryDto } from './customer.dto';

const gateways = GATEWAY_ADAPTERS.map((a) => a.method);
const sorted = (xs: readonly unknown[]) => [...xs].map(String).sort();

/** The methods a query DTO accepts, found by trying every candidate through class-validator. */
async function accepted(dto: new () => object, candidates: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const method of candidates) {
    if ((await validate(plainToInstance(dto, { method }))).length === 0) out.push(method);
  }
  return out;
}

/** What @ApiProperty put in the OpenAPI document for a property (@nestjs/swagger's metadata key). */
const openApiEnum = (dto: new () => object, property: string): unknown[] =>
  Reflect.getMetadata('swagger/apiModelProperties', dto.prototype, property)?.enum ?? [];

describe('payment methods of the order and payment filters (one list: the gateway registry and the fixed ones)', () => {
  const candidates = [...NON_GATEWAY_PAYMENT_METHODS, ...gateways, 'bogus', 'Card', ''];

  it('the registry has CryptoBot, so the filters do too', () => {
    expect(gateways).toContain('cryptobot');
  });

  it('GET …/orders?method= accepts exactly card_to_card, wallet, free and every registered gateway', async () => {
    const expected = sorted([...NON_GATEWAY_PAYMENT_METHODS, ...gateways]);
    expect(sorted(await accepted(OrderListQueryDto, candidates))).toEqual(expected);
    // The OpenAPI enums say the same: of the filter and of OrderDto.method (a value the API returns).
    expect(sorted(openApiEnum(OrderListQueryDto, 'method'))).toEqual(expected);
    expect(sorted(openApiEnum(OrderDto, 'method'))).toEqual(expected);
  });

  it('GET …/payments?method= (and a user’s) accepts exactly card_to_card and every registered gateway', async () => {
    const expected = sorted(['card_to_card', ...gateways]);
    for (const dto of [PaymentListQueryDto, UserPaymentListQueryDto]) {
      expect(sorted(await accepted(dto, candidates))).toEqual(expected);
      expect(sorted(openApiEnum(dto, 'method'))).toEqual(expected);
    }
  });
});
