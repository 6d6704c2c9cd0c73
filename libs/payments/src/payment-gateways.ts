import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@botfleet/common';
import { FeaturesService } from '@botfleet/catalog';
import {
  GatewayQuote,
  GatewayQuoteContext,
  PAYMENT_GATEWAY_ADAPTERS,
  PaymentGateway,
} from './port/payment-gateway.port';

/** A gateway a buyer may use for an amount: the adapter and what it would charge. */
export interface AvailableGateway {
  gateway: PaymentGateway;
  quote: GatewayQuote;
}

/** The registry of payment gateway adapters (the ones listed in ./gateways/gateways.ts). */
@Injectable()
export class PaymentGateways {
  private readonly byMethod: Map<string, PaymentGateway>;

  constructor(
    @Inject(PAYMENT_GATEWAY_ADAPTERS) adapters: PaymentGateway[],
    private readonly features: FeaturesService,
  ) {
    this.byMethod = new Map();
    for (const a of adapters) {
      if (this.byMethod.has(a.method)) throw new Error(`Two payment gateways named ${a.method}`);
      // The class's static name feeds validation and the OpenAPI enums (gateways.ts): it must be the same.
      const named = (a.constructor as { method?: unknown }).method;
      if (named !== a.method) throw new Error(`Payment gateway ${a.method} has the static method ${String(named)}`);
      this.byMethod.set(a.method, a);
    }
  }

  all(): PaymentGateway[] {
    return [...this.byMethod.values()];
  }

  find(method: string): PaymentGateway | undefined {
    return this.byMethod.get(method);
  }

  /** The adapter named `method`; NOT_FOUND for a name no adapter has (it came from outside). */
  get(method: string): PaymentGateway {
    const g = this.byMethod.get(method);
    if (!g) throw new DomainError(ErrorCode.NOT_FOUND, `Unknown payment method ${method}`);
    return g;
  }

  /** The gateways enabled for this bot (their feature on) that can take this amount now, in registry order. */
  async availableFor(
    botId: string,
    amountMinor: number,
    currency: string,
    context: GatewayQuoteContext = {},
  ): Promise<AvailableGateway[]> {
    const enabled = await this.features.enabledSet(botId);
    const out: AvailableGateway[] = [];
    for (const gateway of this.all()) {
      if (!enabled.has(gateway.featureKey)) continue;
      const quote = await gateway.quote(botId, amountMinor, currency, context);
      if (quote) out.push({ gateway, quote });
    }
    return out;
  }
}
