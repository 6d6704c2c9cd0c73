import { Controller, Get, Header, Logger, Query } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { DomainError, ErrorCode } from '@botfleet/common';
import { TenantDb } from '@botfleet/dal';
import { ConfirmGatewayPaymentUseCase, ConfirmResult, PaymentsQueries } from '@botfleet/payments';
import { GatewayPaymentDirectory } from '@botfleet/platform';
import { Public } from '../auth';
import { PageLanguage, PaymentPageKind, paymentResultPage } from './payment-result.page';

const AUTHORITY = /^[A-Za-z0-9]{1,64}$/;

/**
 * Where Zarinpal sends the buyer's browser back (`GET /payments/zarinpal/callback?Authority=…&Status=OK|NOK`,
 * public). The query is not trusted: the authority only names a payment (unknown → a clear page, nothing changes),
 * the bot is looked up by it on the platform path and everything after runs in that bot's tenant context only;
 * `Status=NOK` fails the payment; `OK` asks Zarinpal (verify, with the amount from our database) and only its
 * `100`/`101` settle — once, however often the URL is opened. The answer is a small page in the buyer's language
 * with a link back to the bot; the bot tells them too (the subscription, or the wallet notice).
 */
@Controller('payments/zarinpal')
export class ZarinpalCallbackController {
  private readonly logger = new Logger(ZarinpalCallbackController.name);

  constructor(
    private readonly directory: GatewayPaymentDirectory,
    private readonly db: TenantDb,
    private readonly queries: PaymentsQueries,
    private readonly confirm: ConfirmGatewayPaymentUseCase,
  ) {}

  @Get('callback')
  @Public()
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  async callback(@Query('Authority') authority?: unknown, @Query('Status') status?: unknown): Promise<string> {
    if (typeof authority !== 'string' || !AUTHORITY.test(authority) || (status !== 'OK' && status !== 'NOK')) {
      return paymentResultPage('unknown', 'fa');
    }
    const botId = await this.directory.botOf('zarinpal', authority);
    if (!botId) return paymentResultPage('unknown', 'fa');
    const payment = await this.db.run(botId, () => this.queries.byExternalId(botId, 'zarinpal', authority));
    if (!payment) return paymentResultPage('unknown', 'fa');
    const page = await this.queries.pageFacts(botId, payment);
    let kind: PaymentPageKind;
    try {
      const result =
        status === 'NOK'
          ? await this.confirm.cancelled(botId, payment.id)
          : await this.confirm.execute({ botId, paymentId: payment.id });
      kind = pageKind(result);
    } catch (e) {
      // Zarinpal unreachable (or we are): nothing changed; the reconciler confirms it later.
      if (!DomainError.is(e, ErrorCode.PAYMENT_GATEWAY_UNAVAILABLE)) {
        this.logger.error({ botId, paymentId: payment.id, err: e }, 'zarinpal callback failed');
      }
      kind = 'pending';
    }
    return paymentResultPage(kind, page.language as PageLanguage, page.botUsername);
  }
}

function pageKind({ outcome, payment }: ConfirmResult): PaymentPageKind {
  switch (outcome) {
    case 'paid':
    case 'already_paid':
      return payment.creditedTo === 'wallet' ? 'paidWallet' : 'paid';
    case 'refunded':
      return 'refunded';
    case 'failed':
      return 'failed';
    case 'pending':
      return 'pending';
  }
}
