import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { DomainError, ErrorCode } from '@botfleet/common';
import { UserLedgerService } from '@botfleet/billing';
import { FeaturesService } from '@botfleet/catalog';
import {
  OrderEntity,
  PromocodeEntity,
  PromocodeUseEntity,
  PromoRepository,
  TenantDb,
  TenantRepositories,
} from '@botfleet/dal';
import { Clock } from '../clock';
import { changesOrder, normalizePromoCode, orderChangeOf, promoRejected, windowRejection } from './promo-rules';

export interface RedeemPromoInput {
  botId: string;
  userId: string;
  /** As the user typed it (any case, surrounding spaces ignored). */
  code: string;
  /** The user's pending order being paid (the payment screen's button); without it, /promo. */
  orderId?: string;
  /** Apply to the user's pending order, whichever it is (a reply to the payment screen's prompt); none: as /promo. */
  pendingOrder?: boolean;
}

export type RedeemPromoResult =
  /** A wallet bonus: credited now (ledger key `promo:{useId}`). */
  | { outcome: 'credited'; code: PromocodeEntity; use: PromocodeUseEntity; amountMinor: number; balanceMinor: number }
  /** A discount or extra days on the order being paid, now. */
  | { outcome: 'applied'; code: PromocodeEntity; use: PromocodeUseEntity; order: OrderEntity }
  /** A discount or extra days waiting for the user's next order. */
  | { outcome: 'stored'; code: PromocodeEntity; use: PromocodeUseEntity };

/**
 * Using a promo code (feature `promo_codes`). One transaction (a savepoint inside a bot update): the user row
 * locked (their uses are serial, so the per-user limit holds), the code checked (active, window, plan,
 * first purchase, per-user limit), one use taken by the conditional increment `uses_count < max_uses` (a one-use
 * code raced by any number of users is used once), the use row (unique per code, user and order) and then the
 * effect: the wallet bonus through the ledger, the order repriced while nobody is paying it, or the use left
 * waiting for the next order (CreateOrderUseCase prices it, see PromoOrderHooks). Any refusal undoes it all.
 */
@Injectable()
export class RedeemPromoUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly promo: PromoRepository,
    private readonly ledger: UserLedgerService,
    private readonly features: FeaturesService,
    private readonly clock: Clock,
  ) {}

  async execute(input: RedeemPromoInput): Promise<RedeemPromoResult> {
    const { botId } = input;
    if (!(await this.features.isEnabled(botId, 'promo_codes'))) {
      throw new DomainError(ErrorCode.FEATURE_NOT_ALLOWED, 'Promo codes are off for this bot');
    }
    const typed = normalizePromoCode(input.code);
    if (!typed) throw promoRejected('unknown');
    return this.db.atomic(botId, async () => {
      const user = await this.repos.users.findById(botId, input.userId, 'pessimistic_write');
      if (!user) throw new DomainError(ErrorCode.NOT_FOUND, 'User not found');
      if (user.status === 'blocked') throw new DomainError(ErrorCode.FORBIDDEN, 'This user is blocked');
      const code = await this.repos.promocodes.findOne(botId, { code: typed });
      if (!code) throw promoRejected('unknown');
      const closed = windowRejection(code, this.clock.now());
      if (closed) throw promoRejected(closed);

      let order: OrderEntity | null = null;
      const orderId = input.orderId ?? (input.pendingOrder ? await this.pendingOrderOf(botId, user.id) : null);
      if (orderId && changesOrder(code.kind)) {
        order = await this.repos.orders.findOne(botId, { id: orderId, userId: user.id });
        if (!order) throw new DomainError(ErrorCode.NOT_FOUND, 'Order not found');
        if (order.status !== 'pending') throw new DomainError(ErrorCode.ALREADY_PAID, `The order is ${order.status}`);
        if (order.promocodeId) throw promoRejected('order_locked');
        if (code.planId && code.planId !== order.planId) throw promoRejected('wrong_plan');
      }
      if (code.firstPurchaseOnly && (await this.promo.hasPaidOrder(botId, user.id))) {
        throw promoRejected('first_purchase_only');
      }
      const mine = await this.repos.promocodeUses.count(botId, { promocodeId: code.id, userId: user.id });
      if (mine >= code.perUserLimit) throw promoRejected('already_used');
      if (changesOrder(code.kind) && !order) {
        if (await this.repos.promocodeUses.findOne(botId, { userId: user.id, orderId: IsNull() })) {
          throw promoRejected('already_waiting');
        }
      }
      if (!(await this.promo.claimUse(botId, code.id))) throw promoRejected('used_up');
      const use = await this.repos.promocodeUses.insert(botId, {
        promocodeId: code.id,
        userId: user.id,
        orderId: order?.id ?? null,
      });
      const used = { ...code, usesCount: code.usesCount + 1 };

      if (code.kind === 'balance') {
        const { entry } = await this.ledger.post(botId, {
          userId: user.id,
          type: 'promo',
          amountMinor: code.value,
          idempotencyKey: `promo:${use.id}`,
          reference: `promo:${code.code}`,
        });
        return {
          outcome: 'credited',
          code: used,
          use,
          amountMinor: code.value,
          balanceMinor: entry.balanceAfterMinor,
        };
      }
      if (!order) return { outcome: 'stored', code: used, use };
      const change = orderChangeOf(code, order.amountMinor);
      if (!(await this.promo.applyToOrder(botId, order.id, user.id, { promocodeId: code.id, ...change }))) {
        throw promoRejected('order_locked');
      }
      return { outcome: 'applied', code: used, use, order: (await this.repos.orders.findById(botId, order.id))! };
    });
  }

  /** The user's open order (CreateOrderUseCase keeps at most one pending per user), or null. */
  private async pendingOrderOf(botId: string, userId: string): Promise<string | null> {
    const [open] = await this.repos.orders.find(botId, {
      where: { userId, status: 'pending' },
      order: { createdAt: 'DESC' },
      take: 1,
    });
    return open?.id ?? null;
  }
}
