import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, Page, pageOf, pageOffset } from '@botfleet/common';
import {
  BotSelfRepository,
  OrderEntity,
  PlanEntity,
  TenantRepositories,
  TopUpRepository,
  TransactionEntity,
} from '@botfleet/dal';
import { SalesQueries } from '@botfleet/sales';

/** One top-up of a user's wallet, whatever paid it: a card receipt or an online gateway. */
export interface TopUpView {
  id: string;
  /** `card_to_card`, or the gateway's name (`zarinpal`, `stars`, `cryptobot` …). */
  method: string;
  amountMinor: number;
  /**
   * `open` (waiting for the payment or a receipt), `in_review` (a receipt waits for the admins), `credited`,
   * `rejected` (the last receipt was refused; another may be sent until the deadline), `expired`, `failed`,
   * `refunded`.
   */
  status: 'open' | 'in_review' | 'credited' | 'rejected' | 'expired' | 'failed' | 'refunded';
  /** The card payment's tracking number; null for a gateway. */
  trackingNumber: string | null;
  /** The order the top-up was started for (the wallet could not cover it), if any. */
  forOrderId: string | null;
  createdAt: Date;
  /** When the deposit was made (the review or the gateway's confirmation); null until then. */
  creditedAt: Date | null;
}

/** A user's wallet: the balance now (minor units of `currency`) and a page of its ledger, newest first. */
export interface UserWalletView extends Page<TransactionEntity> {
  balanceMinor: number;
  currency: string;
}

const CARD_STATUS: Record<string, TopUpView['status']> = {
  awaiting_receipt: 'open',
  pending: 'in_review',
  approved: 'credited',
  rejected: 'rejected',
  expired: 'expired',
};
const GATEWAY_STATUS: Record<string, TopUpView['status']> = {
  pending: 'open',
  paid: 'credited',
  failed: 'failed',
  expired: 'expired',
  refunded: 'refunded',
};

/** What the wallet screen and the REST history read: the balance, the ledger's movements, the top-ups. */
@Injectable()
export class WalletQueries {
  constructor(
    private readonly repos: TenantRepositories,
    private readonly topUpRows: TopUpRepository,
    private readonly self: BotSelfRepository,
    private readonly sales: SalesQueries,
  ) {}

  /**
   * The order a top-up is for: the user's own and still pending (another's or unknown is NOT_FOUND, a paid or closed
   * one ALREADY_PAID), with the user's balance.
   */
  async orderToTopUpFor(
    botId: string,
    userId: string,
    orderId: string,
  ): Promise<{ order: OrderEntity; balanceMinor: number }> {
    const order = await this.sales.orderOfUser(botId, userId, orderId);
    if (!order) throw new DomainError(ErrorCode.NOT_FOUND, 'Order not found');
    if (order.status !== 'pending') throw new DomainError(ErrorCode.ALREADY_PAID, `The order is ${order.status}`);
    return { order, balanceMinor: (await this.balance(botId, userId)) ?? 0 };
  }

  /** The user's balance (minor units); null for a user not of this bot. */
  async balance(botId: string, userId: string): Promise<number | null> {
    return (await this.repos.users.findById(botId, userId))?.balanceMinor ?? null;
  }

  /** The user's ledger movements, newest first. */
  async movements(botId: string, userId: string, page: number, pageSize: number): Promise<Page<TransactionEntity>> {
    const [items, total] = await this.repos.transactions.findAndCount(botId, {
      where: { userId },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: pageOffset(page, pageSize),
      take: pageSize,
    });
    return pageOf(items, total, page, pageSize);
  }

  /** The user's wallet in one answer: balance, the bot's currency, a page of movements; null for a user not of this bot. */
  async userWallet(botId: string, userId: string, page: number, pageSize: number): Promise<UserWalletView | null> {
    const balanceMinor = await this.balance(botId, userId);
    if (balanceMinor === null) return null;
    const [movements, currency] = await Promise.all([
      this.movements(botId, userId, page, pageSize),
      this.self.currency(botId),
    ]);
    return { balanceMinor, currency, ...movements };
  }

  /** The user's top-ups of every method (card receipts and online gateways), newest first. */
  async topUps(botId: string, userId: string, page: number, pageSize: number): Promise<Page<TopUpView>> {
    const { rows, total } = await this.topUpRows.pageForUser(botId, userId, pageOffset(page, pageSize), pageSize);
    const views = rows.map((r) => ({
      ...r,
      status: (r.method === 'card_to_card' ? CARD_STATUS : GATEWAY_STATUS)[r.status] ?? 'open',
    }));
    return pageOf(views, total, page, pageSize);
  }

  /**
   * The user's order a credited top-up was for, when it can still be paid from the wallet now; null otherwise
   * (another user's, paid another way, expired).
   */
  async orderToPayAfterTopUp(
    botId: string,
    userId: string,
    orderId: string,
  ): Promise<{ order: OrderEntity; plan: PlanEntity | null } | null> {
    const order = await this.repos.orders.findOne(botId, { id: orderId, userId });
    if (order?.status !== 'pending') return null;
    return { order, plan: await this.repos.plans.findById(botId, order.planId) };
  }
}
