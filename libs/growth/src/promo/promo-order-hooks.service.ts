import { Injectable, OnModuleInit } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { OrderHooks } from '@botfleet/billing';
import { OrderEntity, OrderStatus, PromoRepository, TenantRepositories } from '@botfleet/dal';
import { orderChangeOf } from './promo-rules';

/** The moves that end an order that was never paid: its code's use waits for the customer's next order. */
const NEVER_PAID: readonly OrderStatus[] = ['expired', 'rejected', 'failed'];

/**
 * Promo codes in the life of an order, through the sale's OrderHooks (same transaction as the sale's change):
 * - a new order takes the discount the user typed with /promo and that waits (the plan must match; else it keeps
 *   waiting), so every payment method then charges the order's discounted amount;
 * - an order that ends unpaid (expired — also when the customer picks another plan —, rejected, failed before
 *   payment) gives the use back to its customer: it waits again for their next order (unless a code waits
 *   already: then it goes back to the code, so a customer never has two waiting);
 * - a refunded order gives the use back to the code: the use row is deleted and `uses_count` goes down by one
 *   (a one-use code becomes available again). The order keeps `promocode_id` and `discount_minor` as history.
 */
@Injectable()
export class PromoOrderHooks implements OnModuleInit {
  constructor(
    private readonly hooks: OrderHooks,
    private readonly repos: TenantRepositories,
    private readonly promo: PromoRepository,
  ) {}

  onModuleInit(): void {
    this.hooks.onCreated((botId, order) => this.priceNewOrder(botId, order));
    this.hooks.onMoved(async (botId, move) => {
      if (move.from === 'pending' && NEVER_PAID.includes(move.to)) await this.keepForNextOrder(botId, move.id);
      else if (move.to === 'refunded') await this.giveBack(botId, move.id);
    });
  }

  private async priceNewOrder(botId: string, order: OrderEntity): Promise<OrderEntity | void> {
    if (order.kind === 'trial' || order.amountMinor <= 0) return;
    const waiting = await this.repos.promocodeUses.findOne(botId, { userId: order.userId, orderId: IsNull() });
    if (!waiting) return;
    const code = await this.repos.promocodes.findById(botId, waiting.promocodeId);
    if (!code || (code.planId && code.planId !== order.planId)) return;
    const change = orderChangeOf(code, order.amountMinor);
    if (!(await this.promo.applyToOrder(botId, order.id, order.userId, { promocodeId: code.id, ...change }))) return;
    await this.repos.promocodeUses.update(botId, { id: waiting.id, orderId: IsNull() }, { orderId: order.id });
    return (await this.repos.orders.findById(botId, order.id)) ?? order;
  }

  private async keepForNextOrder(botId: string, orderId: string): Promise<void> {
    const use = await this.repos.promocodeUses.findOne(botId, { orderId });
    if (!use) return;
    // A customer has at most one code waiting (RedeemPromoUseCase's `already_waiting`): when one waits already
    // (this code typed again, or another code meanwhile), this use goes back to its code instead of piling up.
    const waiting = await this.repos.promocodeUses.findOne(botId, { userId: use.userId, orderId: IsNull() });
    if (waiting) return this.giveBack(botId, orderId);
    await this.repos.promocodeUses.update(botId, { id: use.id, orderId }, { orderId: null });
  }

  private async giveBack(botId: string, orderId: string): Promise<void> {
    const use = await this.repos.promocodeUses.findOne(botId, { orderId });
    if (!use) return;
    if ((await this.repos.promocodeUses.delete(botId, { id: use.id })) !== 1) return;
    await this.promo.releaseUse(botId, use.promocodeId);
  }
}
