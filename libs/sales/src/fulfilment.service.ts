import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@botfleet/common';
import { OrdersService, WholesaleWalletService, UserLedgerService } from '@botfleet/billing';
import { TenantDb, TenantRepositories } from '@botfleet/dal';
import { JobName, JobOutbox, jobIdFor } from '@botfleet/jobs';
import { SaleNotifier } from './sale-events';

export interface FulfilmentJob {
  name: JobName.ProvisionSubscription | JobName.ExtendSubscription;
  kind: 'provision' | 'extend';
  payload: { botId: string; subscriptionId: string; orderId: string };
  jobId: string;
}

/**
 * A fulfilling order's provisioning job and its outcome (RELIABILITY.md 4): the job is queued with a
 * deterministic id (by FulfilOrderUseCase in the payment's transaction, or again by the sweeper when it
 * was lost); the panel work's success or final failure comes back here.
 */
@Injectable()
export class FulfilmentService {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly orders: OrdersService,
    private readonly ledger: UserLedgerService,
    private readonly wallet: WholesaleWalletService,
    private readonly outbox: JobOutbox,
    private readonly notifier: SaleNotifier,
  ) {}

  /**
   * Queues the panel work: inside the transaction that began the fulfilment (through the job outbox, so it
   * is queued after the commit), or alone (the sweeper re-queueing a lost job). The job id is the order's,
   * so a second enqueue is harmless.
   */
  async enqueue(botId: string, orderId: string): Promise<void> {
    const job = await this.provisioningJob(botId, orderId);
    if (!job) return;
    // Inside a transaction: through the job outbox (queued after the commit, never lost to a crash).
    await this.outbox.add(botId, job.name, job.payload, job.jobId);
  }

  /** The panel job a fulfilling order runs on (name, payload, deterministic id); null once it is no longer fulfilling. */
  async provisioningJob(botId: string, orderId: string): Promise<FulfilmentJob | null> {
    const order = await this.repos.orders.findById(botId, orderId);
    if (!order || order.status !== 'fulfilling' || !order.subscriptionId) return null;
    const name = order.kind === 'renewal' ? JobName.ExtendSubscription : JobName.ProvisionSubscription;
    return {
      name,
      kind: order.kind === 'renewal' ? 'extend' : 'provision',
      payload: { botId, subscriptionId: order.subscriptionId, orderId },
      jobId: jobIdFor(name, [botId, orderId]),
    };
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
