import { Injectable } from '@nestjs/common';
import { In, LessThanOrEqual, Not } from 'typeorm';
import { OrdersService, WholesaleWalletService } from '@botfleet/billing';
import { CardRotationService } from '@botfleet/catalog';
import { AppConfig } from '@botfleet/config';
import { OrderEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { SaleNotifier } from './sale-events';
import { OPEN_CARD_PAYMENT_STATUSES } from './sale-rules';

/**
 * Ends pending orders nobody is paying, so their wholesale hold goes back to the shop: an order past its
 * deadline (`ORDER_PAYMENT_TIMEOUT_MINUTES`, whatever screen it was left on), and a user's earlier order when
 * they choose another plan (one user holds at most one order's cost). An order whose receipt is under review
 * is never ended here: it waits for the admins' decision.
 */
@Injectable()
export class PendingOrders {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly config: AppConfig,
    private readonly orders: OrdersService,
    private readonly wallet: WholesaleWalletService,
    private readonly rotation: CardRotationService,
    private readonly notifier: SaleNotifier,
  ) {}

  /**
   * Pending orders made before the deadline that have no open card payment, nor an open card top-up started
   * for them (those keep their own clock).
   */
  async overdue(botId: string, now: Date, take = 500): Promise<OrderEntity[]> {
    const cutoff = new Date(now.getTime() - this.config.ORDER_PAYMENT_TIMEOUT_MINUTES * 60_000);
    const due = await this.repos.orders.find(botId, {
      where: { status: 'pending', createdAt: LessThanOrEqual(cutoff) },
      order: { createdAt: 'ASC' },
      take,
    });
    const ids = due.map((o) => o.id);
    const statuses = In([...OPEN_CARD_PAYMENT_STATUSES]);
    const open = due.length
      ? await this.repos.cardPayments.find(botId, {
          // A wallet top-up started for the order (it could not be covered) keeps it too: paid once credited.
          where: [
            { orderId: In(ids), status: statuses },
            { forOrderId: In(ids), status: statuses },
          ],
        })
      : [];
    const paying = new Set(open.map((p) => p.orderId ?? p.forOrderId));
    return due.filter((o) => !paying.has(o.id));
  }

  /**
   * The user's other pending orders end (hold released, an open card payment without a receipt expired and
   * the user told), so a new choice never adds a second hold. Call it inside the new order's transaction,
   * with the user row locked.
   */
  async supersede(botId: string, userId: string, keepOrderId?: string): Promise<number> {
    const others = await this.repos.orders.find(botId, {
      where: { userId, status: 'pending', ...(keepOrderId ? { id: Not(keepOrderId) } : {}) },
    });
    let ended = 0;
    for (const o of others) if (await this.end(botId, o.id)) ended++;
    return ended;
  }

  /**
   * Ends one pending order that is not being paid: its open card payment (if any, and only without a receipt
   * under review) expires, the order expires and its hold is released, each by a conditional update under the
   * order's lock. False (nothing changed) when the order is no longer pending, a receipt is under review or
   * arrived meanwhile.
   */
  end(botId: string, orderId: string): Promise<boolean> {
    return this.db.run(botId, async () => {
      // The order's lock serialises this with starting a card payment or paying from the wallet.
      const order = await this.repos.orders.findById(botId, orderId, 'pessimistic_write');
      if (!order || order.status !== 'pending') return false;
      const open = await this.repos.cardPayments.find(botId, {
        where: { orderId, status: In([...OPEN_CARD_PAYMENT_STATUSES]) },
      });
      if (open.some((p) => p.status === 'pending')) return false;
      for (const p of open) {
        // A receipt sent in the meantime wins: the update finds the payment no longer in its status.
        if (!(await this.repos.cardPayments.update(botId, { id: p.id, status: p.status }, { status: 'expired' }))) {
          return false;
        }
      }
      if (!(await this.orders.transition(botId, orderId, 'pending', 'expired'))) return false;
      await this.wallet.release(botId, orderId);
      for (const p of open) {
        // The money never arrived on that card: stop counting it against the card's daily limit.
        if (p.cardId) await this.rotation.releaseAmount(botId, p.cardId, p.amountMinor, p.createdAt);
        await this.notifier.notify(botId, 'payment_expired', { paymentId: p.id });
      }
      return true;
    });
  }
}
