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
import {
  CRYPTO_PAY_TOKEN_PATTERN,
  CryptoPayClient,
  CryptoPayError,
  CryptoPayInvoiceView,
  cryptoPayPrice,
} from './crypto-pay.client';

export const CRYPTOBOT_METHOD = 'cryptobot';
/** The webhook path the API serves; the reseller registers `{PUBLIC_BASE_URL}/payments/cryptobot/webhook/{botId}`. */
export const CRYPTOBOT_WEBHOOK_PATH = '/payments/cryptobot/webhook';
/** Our invoice payload: `cb:<payment id>`, checked against the payment the invoice id names. */
export const cryptobotPayload = (paymentId: string): string => `cb:${paymentId}`;

export interface CryptoBotSettings {
  token: string;
  testnet: boolean;
  fiat?: string;
  minorPerFiatUnit?: number;
  acceptedAssets?: string[];
}

/**
 * CryptoBot (Crypto Pay API) as a gateway: a fiat-priced invoice (the bot's currency when Crypto Pay has it, else
 * `fiat` at `minorPerFiatUnit` of ours per unit, rounded up to the cent), paid in any accepted asset in @CryptoBot.
 * The invoice id is the payment's external id (ledger key `cryptobot:{invoice_id}`); the signed `invoice_paid`
 * webhook and the reconciler both confirm through `verify`, which reads the invoice back from Crypto Pay and
 * accepts it only when it is paid, for our payload, amount and currency. Crypto Pay has no refund API.
 */
@Injectable()
export class CryptoBotGateway implements PaymentGateway {
  static readonly method = CRYPTOBOT_METHOD;
  readonly method = CRYPTOBOT_METHOD;
  readonly featureKey = 'cryptobot' as const;
  readonly refundable = false;
  readonly ttlMinutes = 30;
  private readonly logger = new Logger(CryptoBotGateway.name);

  constructor(
    private readonly config: AppConfig,
    private readonly features: FeaturesService,
  ) {}

  async quote(botId: string, amountMinor: number, currency: string): Promise<GatewayQuote | null> {
    const settings = await this.settings(botId);
    if (!settings) return null;
    const price = cryptoPayPrice(amountMinor, currency, settings);
    return price ? { gatewayAmount: price.amount, gatewayUnit: price.fiat } : null;
  }

  async start({ botId, payment, description }: GatewayStartInput): Promise<StartedGatewayPayment> {
    const settings = await this.require(botId);
    const invoice = await this.guard(() =>
      this.client(settings).createInvoice(settings.token, {
        fiat: payment.gatewayUnit,
        amount: fiatAmount(payment),
        acceptedAssets: settings.acceptedAssets,
        description: description.slice(0, 1024),
        payload: cryptobotPayload(payment.id),
        expiresInSeconds: Math.max(60, Math.floor((payment.expiresAt.getTime() - Date.now()) / 1000)),
      }),
    );
    return { kind: 'url', url: invoice.payUrl, externalId: String(invoice.invoiceId) };
  }

  async verify(botId: string, payment: GatewayPaymentEntity): Promise<GatewayVerification> {
    const settings = await this.require(botId);
    const id = Number(payment.externalId);
    if (!Number.isSafeInteger(id) || id <= 0) return { status: 'failed', reason: 'no Crypto Pay invoice id' };
    const [invoice] = await this.guard(() => this.client(settings).getInvoices(settings.token, [id]));
    if (!invoice || invoice.invoiceId !== id)
      return { status: 'failed', reason: 'Crypto Pay does not know the invoice' };
    return this.judge(payment, invoice);
  }

  /** The bot's Crypto Pay settings with the API token decrypted; null when no token was set. */
  async settings(botId: string): Promise<CryptoBotSettings | null> {
    const c = await this.features.secretConfig(botId, this.featureKey);
    if (typeof c.apiToken !== 'string' || !CRYPTO_PAY_TOKEN_PATTERN.test(c.apiToken)) return null;
    return {
      token: c.apiToken,
      testnet: c.testnet === true,
      fiat: typeof c.fiat === 'string' ? c.fiat : undefined,
      minorPerFiatUnit: typeof c.minorPerFiatUnit === 'number' ? c.minorPerFiatUnit : undefined,
      acceptedAssets: Array.isArray(c.acceptedAssets) ? c.acceptedAssets.map(String) : undefined,
    };
  }

  private judge(payment: GatewayPaymentEntity, invoice: CryptoPayInvoiceView): GatewayVerification {
    const ours =
      invoice.payload === cryptobotPayload(payment.id) &&
      invoice.currencyType === 'fiat' &&
      invoice.fiat === payment.gatewayUnit &&
      sameAmount(invoice.amount, payment.gatewayAmount);
    if (!ours) return { status: 'failed', reason: 'the invoice is not this payment (payload, currency or amount)' };
    switch (invoice.status) {
      case 'paid':
        return {
          status: 'paid',
          gatewayRef: String(invoice.invoiceId),
          alreadyVerified: false,
          details: { paidAsset: invoice.paidAsset, paidAmount: invoice.paidAmount },
        };
      case 'expired':
        return { status: 'expired' };
      default:
        return { status: 'pending' };
    }
  }

  private client(settings: CryptoBotSettings): CryptoPayClient {
    return new CryptoPayClient(
      settings.testnet ? this.config.CRYPTO_PAY_TESTNET_BASE_URL : this.config.CRYPTO_PAY_BASE_URL,
    );
  }

  private async require(botId: string): Promise<CryptoBotSettings> {
    const settings = await this.settings(botId);
    if (!settings) throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, 'CryptoBot has no API token for this bot');
    return settings;
  }

  /** Crypto Pay failures as the port's errors; the token never appears in them. */
  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (!(e instanceof CryptoPayError)) throw e;
      this.logger.warn({ kind: e.kind, error: e.errorName }, 'Crypto Pay call failed');
      throw new DomainError(ErrorCode.PAYMENT_GATEWAY_UNAVAILABLE, `Crypto Pay is not available (${e.errorName})`);
    }
  }
}

/** The payment's fiat amount as Crypto Pay takes it (`4.50`), from the numeric column (`4.500000000`). */
export function fiatAmount(payment: GatewayPaymentEntity): string {
  const [whole, frac = ''] = payment.gatewayAmount.split('.');
  return `${whole}.${frac.padEnd(2, '0').slice(0, 2)}`;
}

function sameAmount(a: string, b: string): boolean {
  const cents = (s: string) => {
    const [whole, frac = ''] = s.split('.');
    if (!/^\d+$/.test(whole) || !/^\d*$/.test(frac) || /[1-9]/.test(frac.slice(2))) return null;
    return BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0').slice(0, 2) || '0');
  };
  const x = cents(a);
  return x !== null && x === cents(b);
}
