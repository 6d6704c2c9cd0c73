import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Brackets } from 'typeorm';
import { DomainError, ErrorCode } from '@botfleet/common';
import { AuditService, AuditActorType } from '@botfleet/audit';
import { UserLedgerService } from '@botfleet/billing';
import {
  CardPaymentEntity,
  OrderEntity,
  SubscriptionEntity,
  TenantDb,
  TenantRepositories,
  TransactionEntity,
  UserEntity,
} from '@botfleet/dal';

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface Actor {
  actorType: AuditActorType;
  actorId: string;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The tenant's customers and what they bought, for the REST API and the admin chat. */
@Injectable()
export class CustomersService {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly ledger: UserLedgerService,
    private readonly audit: AuditService,
  ) {}

  /** `search` matches a Telegram id exactly, or username / first name / last name / referral code by substring. */
  listUsers(
    botId: string,
    q: { search?: string; status?: 'active' | 'blocked'; page: number; pageSize: number },
  ): Promise<Page<UserEntity>> {
    return this.db.within(botId, async (m) => {
      const qb = m.createQueryBuilder(UserEntity, 'u').where('u.bot_id = :botId', { botId });
      if (q.status) qb.andWhere('u.status = :status', { status: q.status });
      const search = q.search?.trim();
      if (search) {
        qb.andWhere(
          new Brackets((w) => {
            const like = `%${escapeLike(search.replace(/^@/, '').toLowerCase())}%`;
            w.where('lower(u.username) LIKE :like', { like })
              .orWhere('lower(u.first_name) LIKE :like', { like })
              .orWhere('lower(u.last_name) LIKE :like', { like })
              .orWhere('lower(u.referral_code) LIKE :like', { like });
            if (/^\d{1,15}$/.test(search)) w.orWhere('u.telegram_id = :tg', { tg: Number(search) });
          }),
        );
      }
      // COUNT(*) rather than getManyAndCount's COUNT(DISTINCT id): users of a bot are distinct rows already.
      const counted = await qb.clone().select('COUNT(*)', 'n').getRawOne<{ n: string }>();
      const items = await qb
        .orderBy('u.created_at', 'DESC')
        .addOrderBy('u.id', 'ASC')
        .offset((q.page - 1) * q.pageSize)
        .limit(q.pageSize)
        .getMany();
      const total = Number(counted?.n ?? 0);
      return { items, total, page: q.page, pageSize: q.pageSize };
    });
  }

  async getUser(botId: string, userId: string): Promise<UserEntity> {
    const u = await this.repos.users.findById(botId, userId);
    if (!u) throw new DomainError(ErrorCode.NOT_FOUND, 'User not found');
    return u;
  }

  async setStatus(botId: string, userId: string, status: 'active' | 'blocked', actor: Actor): Promise<UserEntity> {
    return this.db.run(botId, async () => {
      const before = await this.getUser(botId, userId);
      await this.repos.users.update(botId, { id: userId }, { status });
      await this.audit.record(botId, {
        ...actor,
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
    input: { amountMinor: number; reason: string; idempotencyKey?: string },
    actor: Actor,
  ): Promise<{ transaction: TransactionEntity; balanceMinor: number; applied: boolean }> {
    return this.db.run(botId, async () => {
      await this.getUser(botId, userId);
      const res = await this.ledger.post(botId, {
        userId,
        type: 'adjustment',
        amountMinor: input.amountMinor,
        idempotencyKey: `adjust:${input.idempotencyKey ?? randomUUID()}`,
        note: input.reason,
        reference: `${actor.actorType}:${actor.actorId}`,
      });
      if (res.applied) {
        await this.audit.record(botId, {
          ...actor,
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
      skip: (q.page - 1) * q.pageSize,
      take: q.pageSize,
    });
    return { items, total, page: q.page, pageSize: q.pageSize };
  }

  async listOrders(
    botId: string,
    q: {
      userId?: string;
      status?: OrderEntity['status'];
      method?: NonNullable<OrderEntity['paymentMethod']>;
      page: number;
      pageSize: number;
    },
  ): Promise<Page<OrderEntity>> {
    const [items, total] = await this.repos.orders.findAndCount(botId, {
      where: {
        ...(q.userId ? { userId: q.userId } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.method ? { paymentMethod: q.method } : {}),
      },
      order: { createdAt: 'DESC' },
      skip: (q.page - 1) * q.pageSize,
      take: q.pageSize,
    });
    return { items, total, page: q.page, pageSize: q.pageSize };
  }

  async listCardPayments(
    botId: string,
    q: { status?: CardPaymentEntity['status']; userId?: string; page: number; pageSize: number },
  ): Promise<Page<CardPaymentEntity>> {
    const [items, total] = await this.repos.cardPayments.findAndCount(botId, {
      where: { ...(q.status ? { status: q.status } : {}), ...(q.userId ? { userId: q.userId } : {}) },
      order: { createdAt: 'DESC' },
      skip: (q.page - 1) * q.pageSize,
      take: q.pageSize,
    });
    return { items, total, page: q.page, pageSize: q.pageSize };
  }

  async getCardPayment(botId: string, id: string): Promise<CardPaymentEntity> {
    const p = await this.repos.cardPayments.findById(botId, id);
    if (!p) throw new DomainError(ErrorCode.NOT_FOUND, 'Card payment not found');
    return p;
  }
}
