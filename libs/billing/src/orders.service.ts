import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@botfleet/common';
import { OrderEntity, OrderStatus, TenantRepositories } from '@botfleet/dal';
import { TenantPatch } from '@botfleet/dal';

/** Which moves an order may make (RELIABILITY.md 1). */
export const ORDER_TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['paid', 'rejected', 'expired', 'failed'],
  paid: ['fulfilling', 'failed', 'refunded'],
  fulfilling: ['fulfilled', 'failed'],
  fulfilled: ['refunded'],
  failed: ['refunded'],
  rejected: [],
  expired: [],
  refunded: [],
};

/** Told of every order move inside its transaction; a listener's error undoes the move. */
export type OrderMoveListener = (
  botId: string,
  order: { id: string; from: OrderStatus; to: OrderStatus },
) => Promise<void>;
/** Told of every new order inside its transaction; returns the order as it now is (e.g. repriced) or nothing. */
export type OrderCreatedListener = (botId: string, order: OrderEntity) => Promise<OrderEntity | void>;

/**
 * Hooks on the life of an order for libraries above the sale (libs/growth: promo codes, referral commission)
 * without the sale knowing them: they register at module init; the sale calls `created` once per new order and
 * OrdersService calls `moved` after each move it made, in the same transaction.
 */
@Injectable()
export class OrderHooks {
  private readonly movedListeners: OrderMoveListener[] = [];
  private readonly createdListeners: OrderCreatedListener[] = [];

  onMoved(listener: OrderMoveListener): void {
    this.movedListeners.push(listener);
  }

  onCreated(listener: OrderCreatedListener): void {
    this.createdListeners.push(listener);
  }

  async moved(botId: string, order: { id: string; from: OrderStatus; to: OrderStatus }): Promise<void> {
    for (const l of this.movedListeners) await l(botId, order);
  }

  async created(botId: string, order: OrderEntity): Promise<OrderEntity> {
    let current = order;
    for (const l of this.createdListeners) current = (await l(botId, current)) ?? current;
    return current;
  }
}

/**
 * The order is the one place a purchase's state lives. Every move is a conditional update
 * `WHERE id = $1 AND status = $from`: whoever loses a race changes nothing and is told.
 */
@Injectable()
export class OrdersService {
  constructor(
    private readonly repos: TenantRepositories,
    private readonly hooks: OrderHooks,
  ) {}

  get(botId: string, orderId: string): Promise<OrderEntity | null> {
    return this.repos.orders.findById(botId, orderId);
  }

  /** Moves the order from `from` to `to`; true when this caller made the move. */
  async transition(
    botId: string,
    orderId: string,
    from: OrderStatus,
    to: OrderStatus,
    patch: TenantPatch<OrderEntity> = {},
  ): Promise<boolean> {
    if (!ORDER_TRANSITIONS[from].includes(to)) throw new Error(`Order cannot move from ${from} to ${to}`);
    const changed = await this.repos.orders.update(botId, { id: orderId, status: from }, { ...patch, status: to });
    if (changed !== 1) return false;
    await this.hooks.moved(botId, { id: orderId, from, to });
    return true;
  }

  /** Like transition, but a lost race is an error the outlets show (ALREADY_PAID / ALREADY_REVIEWED). */
  async transitionOrThrow(
    botId: string,
    orderId: string,
    from: OrderStatus,
    to: OrderStatus,
    patch: TenantPatch<OrderEntity> = {},
    lostCode: ErrorCode = ErrorCode.ALREADY_PAID,
  ): Promise<void> {
    if (!(await this.transition(botId, orderId, from, to, patch))) {
      throw new DomainError(lostCode, `The order is no longer ${from}`);
    }
  }
}
