import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, Page, pageOf, pageOffset } from '@botfleet/common';
import {
  BotSelfRepository,
  GatewayPaymentEntity,
  GatewayPaymentRepository,
  PaymentHistoryFilter,
  PaymentHistoryRepository,
  PaymentHistoryRow,
  TenantDb,
  TenantRepositories,
  UserEntity,
} from '@botfleet/dal';
import { PaymentGateways } from './payment-gateways';

/** One payment of any method (card to card, or a gateway), as the tenant's history shows it. */
export interface PaymentView {
  id: string;
  /** `card_to_card` or the gateway's name. */
  method: string;
  purpose: 'order' | 'topup';
  /** The method's own status. */
  status: string;
  userId: string;
  orderId: string | null;
  amountMinor: number;
  currency: string;
  /** What the gateway charged (a decimal string) and in what; null for card to card. */
  gatewayAmount: string | null;
  gatewayUnit: string | null;
  /** The gateway's id (Zarinpal authority, Stars charge id …); null for card to card. */
  externalId: string | null;
  /** The card payment's tracking number, or the gateway's reference (Zarinpal ref_id). */
  reference: string | null;
  /** Whether POST …/refund can refund it now (a paid payment of a gateway with a refund API). */
  refundable: boolean;
  createdAt: string;
  paidAt: string | null;
  refundedAt: string | null;
}

/** What the result page of a payment needs: the buyer's language and where to send them back. */
export interface PaymentPageFacts {
  language: 'fa' | 'en' | 'ru';
  botUsername: string;
}

/** What a message about a payment needs: the payment, its buyer and their wallet balance now. */
export interface PaymentNoticeFacts {
  payment: GatewayPaymentEntity;
  user: UserEntity;
  balanceMinor: number;
}

/** Reading gateway payments (the REST lists use PaymentsQueries.list; see apps/api/src/payments). */
@Injectable()
export class PaymentsQueries {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly self: BotSelfRepository,
    private readonly history: PaymentHistoryRepository,
    private readonly gateways: PaymentGateways,
    private readonly payments: GatewayPaymentRepository,
  ) {}

  /** Payments of every method, newest first, filtered and paged (a filter's `userId` must be this bot's user). */
  async list(botId: string, filter: PaymentHistoryFilter, page: number, pageSize: number): Promise<Page<PaymentView>> {
    return this.db.run(botId, async () => {
      if (filter.userId && !(await this.repos.users.findById(botId, filter.userId))) {
        throw new DomainError(ErrorCode.NOT_FOUND, 'User not found');
      }
      const [rows, total] = await this.history.page(botId, filter, pageOffset(page, pageSize), pageSize);
      return pageOf(
        rows.map((r) => this.view(r)),
        total,
        page,
        pageSize,
      );
    });
  }

  private view(r: PaymentHistoryRow): PaymentView {
    const gateway = r.method === 'card_to_card' ? undefined : this.gateways.find(r.method);
    return {
      id: r.id,
      method: r.method,
      purpose: r.purpose,
      status: r.status,
      userId: r.user_id,
      orderId: r.order_id,
      amountMinor: Number(r.amount_minor),
      currency: r.currency,
      gatewayAmount: r.gateway_amount === null ? null : plainDecimal(r.gateway_amount),
      gatewayUnit: r.gateway_unit,
      externalId: r.external_id,
      reference: r.reference,
      refundable: !!gateway?.refundable && r.status === 'paid',
      createdAt: new Date(r.created_at).toISOString(),
      paidAt: r.paid_at ? new Date(r.paid_at).toISOString() : null,
      refundedAt: r.refunded_at ? new Date(r.refunded_at).toISOString() : null,
    };
  }

  /** One payment of any method as the history shows it; NOT_FOUND for an id of neither kind. */
  async getView(botId: string, paymentId: string): Promise<PaymentView> {
    const page = await this.db.run(botId, () => this.history.byId(botId, paymentId));
    if (!page) throw new DomainError(ErrorCode.NOT_FOUND, 'Payment not found');
    return this.view(page);
  }

  get(botId: string, paymentId: string): Promise<GatewayPaymentEntity | null> {
    return this.repos.gatewayPayments.findById(botId, paymentId);
  }

  /** The payment a gateway id names in this bot (a callback's authority), or null. */
  byExternalId(botId: string, gateway: string, externalId: string): Promise<GatewayPaymentEntity | null> {
    if (!externalId || externalId.length > 255) return Promise.resolve(null);
    return this.repos.gatewayPayments.findOne(botId, { gateway, externalId });
  }

  /** The payment with its buyer (for a message to them), or null when either is gone. */
  async noticeFacts(botId: string, paymentId: string): Promise<PaymentNoticeFacts | null> {
    const payment = await this.repos.gatewayPayments.findById(botId, paymentId);
    if (!payment) return null;
    const user = await this.repos.users.findById(botId, payment.userId);
    if (!user) return null;
    return { payment, user, balanceMinor: user.balanceMinor };
  }

  /** The buyer's language (else the bot's) and the bot's username, for the page a gateway returns the buyer to. */
  async pageFacts(botId: string, payment: GatewayPaymentEntity): Promise<PaymentPageFacts> {
    const [user, bot] = await Promise.all([this.repos.users.findById(botId, payment.userId), this.self.get(botId)]);
    return { language: user?.language ?? bot?.defaultLanguage ?? 'fa', botUsername: bot?.telegramUsername ?? '' };
  }

  /**
   * Whether a payment for the same order opened after `payment` shows its link on the chat message `messageId`
   * (`screenMessageId`): that payment's own link job edits the screen, so `payment`'s job leaves it alone. False
   * when every newer payment was opened elsewhere (another message, the API) or there is none.
   */
  async newerOnScreen(botId: string, payment: GatewayPaymentEntity, messageId: number): Promise<boolean> {
    if (!payment.orderId) return false;
    return this.payments.newerOnScreen(botId, payment.id, payment.orderId, messageId);
  }
}

/** A numeric as written without trailing zeros (`50000.000000000` → `50000`, `1.250000000` → `1.25`). */
function plainDecimal(n: string): string {
  return n.includes('.') ? n.replace(/0+$/, '').replace(/\.$/, '') : n;
}
