import { Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from '@botfleet/common';
import { FeaturesService } from '@botfleet/catalog';
import { AppConfig } from '@botfleet/config';
import { GatewayPaymentEntity } from '@botfleet/dal';
import {
  GatewayQuote,
  GatewayStartInput,
  GatewayVerification,
  PaymentGateway,
  StartedGatewayPayment,
} from '../../port/payment-gateway.port';
import { ZarinpalClient, ZarinpalCode } from './zarinpal-client';

/** The path of the callback the API serves (apps/api/src/payments); registered with every request. */
export const ZARINPAL_CALLBACK_PATH = '/payments/zarinpal/callback';

/**
 * Amount units, explicit: Zarinpal takes rials (IRR) or tomans (IRT). A bot priced in IRR sends its minor units as
 * rials, one priced in IRT as tomans (both currencies have no minor digits in this product); any other currency
 * cannot be paid through Zarinpal (the button is not shown).
 */
const UNITS: Record<string, { unit: 'IRR' | 'IRT'; min: number; max: number }> = {
  IRR: { unit: 'IRR', min: 10_000, max: 2_000_000_000 },
  IRT: { unit: 'IRT', min: 1_000, max: 200_000_000 },
};

interface ZarinpalConfig {
  merchantId: string;
  sandbox: boolean;
}

/** Zarinpal REST v4 (request → StartPay → callback → verify; unVerified for the reconciler). No refund API. */
@Injectable()
export class ZarinpalGateway implements PaymentGateway {
  static readonly method = 'zarinpal';
  readonly method = ZarinpalGateway.method;
  readonly featureKey = 'zarinpal' as const;
  readonly refundable = false;
  readonly ttlMinutes = 20;
  private readonly logger = new Logger(ZarinpalGateway.name);

  constructor(
    private readonly config: AppConfig,
    private readonly features: FeaturesService,
  ) {}

  async quote(botId: string, amountMinor: number, currency: string): Promise<GatewayQuote | null> {
    const unit = UNITS[currency];
    if (!unit || amountMinor < unit.min || amountMinor > unit.max) return null;
    if (!(await this.settings(botId))) return null;
    return { gatewayAmount: String(amountMinor), gatewayUnit: unit.unit };
  }

  async start({ botId, payment, description }: GatewayStartInput): Promise<StartedGatewayPayment> {
    const { merchantId, client } = await this.require(botId);
    const data = await client.request({
      merchant_id: merchantId,
      amount: this.amountOf(payment),
      currency: payment.gatewayUnit === 'IRT' ? 'IRT' : 'IRR',
      description: description.slice(0, 255),
      callback_url: `${this.config.PUBLIC_BASE_URL.replace(/\/+$/, '')}${ZARINPAL_CALLBACK_PATH}`,
      metadata: payment.orderId ? { order_id: payment.orderId } : undefined,
    });
    if (data.code !== ZarinpalCode.OK || !data.authority) {
      this.logger.warn({ botId, code: data.code }, 'zarinpal refused the payment request');
      throw new DomainError(ErrorCode.PAYMENT_GATEWAY_UNAVAILABLE, `Zarinpal refused the request (${data.code})`);
    }
    return {
      kind: 'url',
      url: client.startPayUrl(data.authority),
      externalId: data.authority,
      details: { fee: data.fee ?? null, feeType: data.fee_type ?? null },
    };
  }

  async verify(botId: string, payment: GatewayPaymentEntity): Promise<GatewayVerification> {
    const { merchantId, client } = await this.require(botId);
    // The amount is OUR record of what this payment is for, never a figure from the callback.
    const data = await client.verify(merchantId, this.amountOf(payment), payment.externalId!);
    switch (data.code) {
      case ZarinpalCode.OK:
      case ZarinpalCode.ALREADY_VERIFIED:
        return {
          status: 'paid',
          gatewayRef: data.ref_id === undefined ? null : String(data.ref_id),
          alreadyVerified: data.code === ZarinpalCode.ALREADY_VERIFIED,
          details: { cardPan: data.card_pan ?? null },
        };
      case ZarinpalCode.AMOUNT_MISMATCH:
        return { status: 'failed', reason: 'amount mismatch (-50)' };
      case ZarinpalCode.NOT_PAID:
        return { status: 'failed', reason: 'not paid (-51)' };
      default:
        throw new DomainError(ErrorCode.PAYMENT_GATEWAY_UNAVAILABLE, `Zarinpal verify answered ${data.code}`);
    }
  }

  async unconfirmed(botId: string): Promise<string[]> {
    const settings = await this.settings(botId);
    if (!settings) return [];
    const data = await this.client(settings).unverified(settings.merchantId);
    if (data.code !== ZarinpalCode.OK) return [];
    return (data.authorities ?? []).map((a) => a.authority).filter((a) => typeof a === 'string');
  }

  private amountOf(payment: GatewayPaymentEntity): number {
    const n = Number(payment.gatewayAmount);
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`Zarinpal amount ${payment.gatewayAmount} is not whole`);
    return n;
  }

  private client(settings: ZarinpalConfig): ZarinpalClient {
    return new ZarinpalClient(settings.sandbox ? this.config.ZARINPAL_SANDBOX_BASE_URL : this.config.ZARINPAL_BASE_URL);
  }

  private async require(botId: string): Promise<{ merchantId: string; client: ZarinpalClient }> {
    const settings = await this.settings(botId);
    if (!settings) throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, 'Zarinpal has no merchant id for this bot');
    return { merchantId: settings.merchantId, client: this.client(settings) };
  }

  /** The bot's merchant id (decrypted) and sandbox switch; null when no merchant id was set. */
  private async settings(botId: string): Promise<ZarinpalConfig | null> {
    const c = await this.features.secretConfig(botId, this.featureKey);
    if (typeof c.merchantId !== 'string') return null;
    return { merchantId: c.merchantId, sandbox: c.sandbox === true };
  }
}
