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

/**
 * The order is the one place a purchase's state lives. Every move is a conditional update
 * `WHERE id = $1 AND status = $from`: whoever loses a race changes nothing and is told.
 */
@Injectable()
export class OrdersService {
  constructor(private readonly repos: TenantRepositories) {}

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
    return changed === 1;
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
