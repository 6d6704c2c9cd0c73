import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@botfleet/common';
import { OrdersService, TenantWalletService, UserLedgerService } from '@botfleet/billing';
import { OrderEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { JobName, JobOutbox, jobIdFor } from '@botfleet/jobs';
import { SaleNotifier } from './sale-events';

/**
 * From a paid order to a working account (RELIABILITY.md 4): inside the payment's transaction the
 * order moves paid → fulfilling and gets its subscription row; after commit a provisioning job
 * with a deterministic id does the panel work; its outcome comes back here.
 */
@Injectable()
export class FulfilmentService {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly orders: OrdersService,
    private readonly ledger: UserLedgerService,
    private readonly wallet: TenantWalletService,
    private readonly outbox: JobOutbox,
    private readonly notifier: SaleNotifier,
  ) {}

  /** Call inside the transaction that made the order `paid`. Returns the subscription id. */
  async begin(botId: string, order: OrderEntity): Promise<string> {
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
      return subscriptionId;
    });
  }

  /**
   * Queues the panel work: inside the transaction that began the fulfilment (through the job outbox, so it
   * is queued after the commit), or alone (the sweeper re-queueing a lost job). The job id is the order's,
   * so a second enqueue is harmless.
   */
  async enqueue(botId: string, orderId: string): Promise<void> {
    const order = await this.repos.orders.findById(botId, orderId);
    if (!order || order.status !== 'fulfilling' || !order.subscriptionId) return;
    const name = order.kind === 'renewal' ? JobName.ExtendSubscription : JobName.ProvisionSubscription;
    // Inside a transaction: through the job outbox (queued after the commit, never lost to a crash).
    await this.outbox.add(
      botId,
      name,
      { botId, subscriptionId: order.subscriptionId, orderId },
      jobIdFor(name, [botId, orderId]),
    );
  }

  /** The panel said yes and the subscription is active. Idempotent. */
  async succeeded(botId: string, orderId: string): Promise<boolean> {
    return this.orders.transition(botId, orderId, 'fulfilling', 'fulfilled', { fulfilledAt: new Date() });
  }

  /**
   * Provisioning failed for good: the order fails, the user's money goes back to the wallet, the
   * wholesale charge is reversed. One transaction; idempotent (a second call finds the order no
   * longer fulfilling and changes nothing).
   */
  async failed(botId: string, orderId: string, reason: string): Promise<boolean> {
    const done = await this.db.run(botId, async () => {
      const moved = await this.orders.transition(botId, orderId, 'fulfilling', 'failed', {
        failureReason: reason.slice(0, 500),
      });
      if (!moved) return false;
      const order = await this.repos.orders.findById(botId, orderId);
      if (!order) throw new DomainError(ErrorCode.NOT_FOUND, 'Order not found');
      if (order.amountMinor > 0 && order.paymentMethod !== 'free') {
        await this.ledger.post(botId, {
          userId: order.userId,
          type: 'refund',
          amountMinor: order.amountMinor,
          idempotencyKey: `order:${orderId}:refund`,
          orderId,
          reference: `order:${orderId}`,
          note: 'Provisioning failed',
        });
      }
      await this.wallet.reverse(botId, orderId);
      await this.orders.transition(botId, orderId, 'failed', 'refunded');
      if (order.subscriptionId && order.kind !== 'renewal') {
        await this.repos.subscriptions.update(
          botId,
          { id: order.subscriptionId, status: 'pending' },
          { status: 'failed' },
        );
      }
      await this.notifier.notify(botId, 'fulfilment_failed', { orderId });
      return true;
    });
    return done;
  }
}
