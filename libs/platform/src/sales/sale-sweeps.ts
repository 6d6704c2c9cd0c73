import { Injectable } from '@nestjs/common';
import { PlatformDb } from '../platform-db';

/**
 * Cross-bot questions the worker's schedulers ask (DATA.md: fan-out per bot goes through the
 * platform path); the work itself then runs per bot in a tenant transaction.
 */
@Injectable()
export class SaleSweeps {
  constructor(private readonly platform: PlatformDb) {}

  /** Bots with card payments past their deadline still waiting for a receipt (a receipt under review never expires). */
  async botsWithDuePayments(now = new Date()): Promise<string[]> {
    const rows: { bot_id: string }[] = await this.platform.manager.query(
      `SELECT DISTINCT bot_id FROM card_to_card_payments
        WHERE status IN ('awaiting_receipt','rejected') AND expires_at <= $1`,
      [now],
    );
    return rows.map((r) => r.bot_id);
  }

  /** Bots with pending orders made before `cutoff` and no card payment open: nobody is paying them. */
  async botsWithOverdueOrders(cutoff: Date): Promise<string[]> {
    const rows: { bot_id: string }[] = await this.platform.manager.query(
      `SELECT DISTINCT o.bot_id FROM orders o
        WHERE o.status = 'pending' AND o.created_at <= $1
          AND NOT EXISTS (SELECT 1 FROM card_to_card_payments p
                           WHERE p.bot_id = o.bot_id AND p.order_id = o.id
                             AND p.status IN ('awaiting_receipt','pending','rejected'))`,
      [cutoff],
    );
    return rows.map((r) => r.bot_id);
  }

  /** Bots with receipts under review since before `since` that still have reminders to send. */
  async botsWithReviewsWaiting(since: Date, reminders: number): Promise<string[]> {
    const rows: { bot_id: string }[] = await this.platform.manager.query(
      `SELECT DISTINCT bot_id FROM card_to_card_payments
        WHERE status = 'pending' AND receipt_submitted_at <= $1 AND review_reminders_sent < $2`,
      [since, reminders],
    );
    return rows.map((r) => r.bot_id);
  }

  /**
   * Orders paid but not fulfilled for longer than `olderThanMs` (a crash between the commit and
   * the enqueue, or a lost job): the sweeper queues their provisioning again (same job id).
   */
  async stuckFulfilments(olderThanMs: number, now = new Date()): Promise<{ botId: string; orderId: string }[]> {
    const rows: { bot_id: string; id: string }[] = await this.platform.manager.query(
      `SELECT bot_id, id FROM orders WHERE status = 'fulfilling' AND updated_at <= $1 ORDER BY updated_at LIMIT 500`,
      [new Date(now.getTime() - olderThanMs)],
    );
    return rows.map((r) => ({ botId: r.bot_id, orderId: r.id }));
  }

  /**
   * Refunded orders with a subscription whose take-back has no `order:{id}:taken_back` record, refunded between
   * `lookbackMs` and `olderThanMs` ago (younger ones are still in their first job's hands): their DisableSubscription
   * was lost or gave up, and the sweeper queues it again (same job id).
   */
  async unfinishedTakeBacks(
    olderThanMs: number,
    lookbackMs: number,
    now = new Date(),
  ): Promise<{ botId: string; orderId: string; subscriptionId: string }[]> {
    const rows: { bot_id: string; id: string; subscription_id: string }[] = await this.platform.manager.query(
      `SELECT o.bot_id, o.id, o.subscription_id FROM orders o
        WHERE o.status = 'refunded' AND o.subscription_id IS NOT NULL
          AND o.updated_at <= $1 AND o.updated_at > $2
          AND NOT EXISTS (SELECT 1 FROM subscription_events e
                           WHERE e.bot_id = o.bot_id AND e.dedupe_key = 'order:' || o.id || ':taken_back')
        ORDER BY o.updated_at LIMIT 500`,
      [new Date(now.getTime() - olderThanMs), new Date(now.getTime() - lookbackMs)],
    );
    return rows.map((r) => ({ botId: r.bot_id, orderId: r.id, subscriptionId: r.subscription_id }));
  }
}
