import { Injectable } from '@nestjs/common';
import { And, LessThan, MoreThanOrEqual } from 'typeorm';
import { Actor, DomainError, ErrorCode, Page, pageOf, pageOffset } from '@botfleet/common';
import { AuditService } from '@botfleet/audit';
import { UserLedgerService } from '@botfleet/billing';
import { AdminAccessService } from '@botfleet/bots';
import {
  CardPaymentEntity,
  OrderEntity,
  SubscriptionEntity,
  TenantDb,
  TenantRepositories,
  TransactionEntity,
  UserEntity,
  UserRepository,
  UserSearch,
} from '@botfleet/dal';

/** The tenant's customers and what they bought, for the REST API and the admin chat. */
@Injectable()
export class CustomersService {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly users: UserRepository,
    private readonly ledger: UserLedgerService,
    private readonly audit: AuditService,
    private readonly access: AdminAccessService,
  ) {}

  /** `search` matches a Telegram id exactly, or username / first name / last name / referral code by substring. */
  listUsers(botId: string, q: UserSearch): Promise<Page<UserEntity>> {
    return this.users.search(botId, q);
  }

  async getUser(botId: string, userId: string): Promise<UserEntity> {
    const u = await this.repos.users.findById(botId, userId);
    if (!u) throw new DomainError(ErrorCode.NOT_FOUND, 'User not found');
    return u;
  }

  async setStatus(botId: string, userId: string, status: 'active' | 'blocked', actor: Actor): Promise<UserEntity> {
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'users');
      const before = await this.getUser(botId, userId);
      await this.repos.users.update(botId, { id: userId }, { status });
      await this.audit.record(botId, {
        actor,
        action: 'user.status',
        targetType: 'user',
        targetId: userId,
        before: { status: before.status },
        after: { status },
      });
      return this.getUser(botId, userId);
    });
  }

  /** A manual credit or debit of the user's wallet: one ledger row; the key makes a retried request harmless. */
  async adjustBalance(
    botId: string,
    userId: string,
    input: { amountMinor: number; reason: string; idempotencyKey: string },
    actor: Actor,
  ): Promise<{ transaction: TransactionEntity; balanceMinor: number; applied: boolean }> {
    return this.db.run(botId, async () => {
      await this.access.authorize(botId, actor, 'wallet');
      await this.getUser(botId, userId);
      const res = await this.ledger.post(botId, {
        userId,
        type: 'adjustment',
        amountMinor: input.amountMinor,
        idempotencyKey: `adjust:${input.idempotencyKey}`,
        note: input.reason,
        reference: `${actor.type}:${actor.id}`,
      });
      if (res.applied) {
        await this.audit.record(botId, {
          actor,
          action: 'user.balance_adjustment',
          targetType: 'user',
          targetId: userId,
          after: { amountMinor: input.amountMinor, reason: input.reason, balanceMinor: res.entry.balanceAfterMinor },
        });
      }
      return { transaction: res.entry, balanceMinor: res.entry.balanceAfterMinor, applied: res.applied };
    });
  }

  async listSubscriptions(
    botId: string,
    q: { userId?: string; status?: SubscriptionEntity['status']; page: number; pageSize: number },
  ): Promise<Page<SubscriptionEntity>> {
    const [items, total] = await this.repos.subscriptions.findAndCount(botId, {
      where: { ...(q.userId ? { userId: q.userId } : {}), ...(q.status ? { status: q.status } : {}) },
      order: { createdAt: 'DESC' },
      skip: pageOffset(q.page, q.pageSize),
      take: q.pageSize,
    });
    return pageOf(items, total, q.page, q.pageSize);
  }

  async listOrders(
    botId: string,
    q: {
      userId?: string;
      status?: OrderEntity['status'];
      method?: NonNullable<OrderEntity['paymentMethod']>;
      /** Created at or after. */
      from?: Date;
      /** Created before (exclusive). */
      to?: Date;
      page: number;
      pageSize: number;
    },
  ): Promise<Page<OrderEntity>> {
    const created =
      q.from && q.to
        ? And(MoreThanOrEqual(q.from), LessThan(q.to))
        : q.from
          ? MoreThanOrEqual(q.from)
          : q.to
            ? LessThan(q.to)
            : undefined;
    const [items, total] = await this.repos.orders.findAndCount(botId, {
      where: {
        ...(q.userId ? { userId: q.userId } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.method ? { paymentMethod: q.method } : {}),
        ...(created ? { createdAt: created } : {}),
      },
      order: { createdAt: 'DESC' },
      skip: pageOffset(q.page, q.pageSize),
      take: q.pageSize,
    });
    return pageOf(items, total, q.page, q.pageSize);
  }

  async listCardPayments(
    botId: string,
    q: {
      status?: CardPaymentEntity['status'];
      userId?: string;
      purpose?: CardPaymentEntity['purpose'];
      page: number;
      pageSize: number;
    },
  ): Promise<Page<CardPaymentEntity>> {
    const [items, total] = await this.repos.cardPayments.findAndCount(botId, {
      where: {
        ...(q.status ? { status: q.status } : {}),
        ...(q.userId ? { userId: q.userId } : {}),
        ...(q.purpose ? { purpose: q.purpose } : {}),
      },
      order: { createdAt: 'DESC' },
      skip: pageOffset(q.page, q.pageSize),
      take: q.pageSize,
    });
    return pageOf(items, total, q.page, q.pageSize);
  }

  async getCardPayment(botId: string, id: string): Promise<CardPaymentEntity> {
    const p = await this.repos.cardPayments.findById(botId, id);
    if (!p) throw new DomainError(ErrorCode.NOT_FOUND, 'Card payment not found');
    return p;
  }
}
