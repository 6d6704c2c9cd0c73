import { Injectable } from '@nestjs/common';
import { OrdersService } from '@botfleet/billing';
import { OrderEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { FulfilmentService } from '../fulfilment.service';

export interface FulfilOrderInput {
  botId: string;
  /** The order, already `paid` in the caller's transaction. */
  order: OrderEntity;
}

/**
 * From a paid order to a working account (RELIABILITY.md 4), the part inside the payment's
 * transaction: the order moves paid → fulfilling with its subscription row (a renewal keeps the one
 * it renews), and the provisioning job is written to the job outbox, so it is queued after the
 * commit and relayed if the process dies before that. The panel work's outcome comes back to
 * FulfilmentService. Returns the subscription id.
 */
@Injectable()
export class FulfilOrderUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly orders: OrdersService,
    private readonly fulfilment: FulfilmentService,
  ) {}

  async execute({ botId, order }: FulfilOrderInput): Promise<string> {
    return this.db.run(botId, async () => {
      let subscriptionId = order.subscriptionId;
      if (order.kind !== 'renewal') {
        const plan = await this.repos.plans.findById(botId, order.planId);
        const sub = await this.repos.subscriptions.insert(botId, {
          userId: order.userId,
          planId: order.planId,
          panelId: plan?.panelId ?? null,
          trafficLimitBytes: order.trafficBytes,
          trafficUsedBytes: 0,
          deviceLimit: plan?.deviceLimit ?? 1,
          status: 'pending',
          autoRenew: false,
          isTrial: order.kind === 'trial',
        });
        subscriptionId = sub.id;
      }
      if (!subscriptionId) throw new Error('A renewal order without a subscription');
      await this.orders.transitionOrThrow(botId, order.id, 'paid', 'fulfilling', { subscriptionId });
      await this.fulfilment.enqueue(botId, order.id);
      return subscriptionId;
    });
  }
}
