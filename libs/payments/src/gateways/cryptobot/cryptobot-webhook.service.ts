import { Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from '@botfleet/common';
import { TenantRepositories } from '@botfleet/dal';
import { ConfirmGatewayPaymentUseCase, ConfirmOutcome } from '../../use-cases/confirm-gateway-payment.use-case';
import { parseCryptoPayUpdate, verifyCryptoPaySignature } from './crypto-pay.client';
import { CRYPTOBOT_METHOD, CryptoBotGateway, cryptobotPayload } from './cryptobot.gateway';

export type CryptoBotWebhookOutcome = ConfirmOutcome | 'ignored';

/**
 * A Crypto Pay webhook for one bot (`POST /payments/cryptobot/webhook/{botId}`). Trusted only when the
 * `crypto-pay-api-signature` header is the HMAC-SHA-256 of the exact body keyed with SHA-256 of THIS bot's API
 * token (constant-time compare): anything else is UNAUTHORIZED and changes nothing — a forged body, a body signed
 * with another bot's token, a bot without CryptoBot. A signed `invoice_paid` for an invoice of one of this bot's
 * payments (id and payload both ours) is confirmed like any gateway callback: the invoice is read back from Crypto
 * Pay and settled once (ledger key `cryptobot:{invoice_id}`), however often or concurrently it is delivered.
 * Other updates, and invoices this bot does not know, are acknowledged and ignored.
 */
@Injectable()
export class CryptoBotWebhook {
  private readonly logger = new Logger(CryptoBotWebhook.name);

  constructor(
    private readonly gateway: CryptoBotGateway,
    private readonly repos: TenantRepositories,
    private readonly confirm: ConfirmGatewayPaymentUseCase,
  ) {}

  async handle(
    botId: string,
    rawBody: Buffer | undefined,
    signature: string | undefined,
  ): Promise<CryptoBotWebhookOutcome> {
    const settings = await this.gateway.settings(botId);
    if (!settings || !rawBody || !verifyCryptoPaySignature(settings.token, rawBody, signature)) {
      throw new DomainError(ErrorCode.UNAUTHORIZED, 'The Crypto Pay signature does not match');
    }
    const update = parseCryptoPayUpdate(rawBody);
    if (!update) return 'ignored';
    const invoiceId = String(update.invoice.invoiceId);
    const payment = await this.repos.gatewayPayments.findOne(botId, {
      gateway: CRYPTOBOT_METHOD,
      externalId: invoiceId,
    });
    if (!payment || update.invoice.payload !== cryptobotPayload(payment.id)) {
      this.logger.warn({ botId, invoiceId }, 'Crypto Pay webhook for an invoice of no payment of this bot');
      return 'ignored';
    }
    const r = await this.confirm.execute({ botId, paymentId: payment.id, failIfUnpaid: false });
    return r.outcome;
  }
}
