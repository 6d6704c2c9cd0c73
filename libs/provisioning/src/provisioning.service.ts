import { Inject, Injectable, Logger } from '@nestjs/common';
import { clampCounter, DomainError, ErrorCode } from '@botfleet/common';
import {
  OrderEntity,
  ProvisioningRepository,
  SubscriptionEntity,
  TenantDb,
  TenantRepositories,
  TenantTx,
} from '@botfleet/dal';
import { JobName, JobOutbox, jobIdFor } from '@botfleet/jobs';

import { createPanelAdapter } from './panels/panel-adapter.factory';
import { panelUsername } from './panels/panel-username';
import type { PanelAdapter, PanelUser } from './panels/panel.port';
import {
  PANEL_DIRECTORY,
  PROVISIONING_OUTCOMES,
  type PanelDirectoryPort,
  type ProvisioningOutcomesPort,
} from './provisioning.ports';

const DAY_MS = 86_400_000;
/** The DisableSubscription reason of a subscription that ran out (the account is switched off, it stays `expired`). */
export const SUBSCRIPTION_EXPIRED = 'reached_its_end';
const BYTES_PER_GB = 1024 ** 3;
/** How long a job waits for another job holding the same subscription before it gives up (and retries). */
const SUBSCRIPTION_LOCK_TIMEOUT = '30s';
/** Orders whose money is in: only these may create or extend an account. */
const APPLICABLE_ORDER_STATES: ReadonlySet<OrderEntity['status']> = new Set(['paid', 'fulfilling']);

export type ProvisioningJobKind = 'provision' | 'extend';

export interface ProvisioningResult {
  subscriptionId: string;
  /** false when an earlier run had already done it (retry after a crash, duplicate job). */
  applied: boolean;
  expiresAt: Date | null;
}

/** Keys of the records in `subscription_events` that make each order apply once. */
export const provisioningKeys = {
  provisioned: (subscriptionId: string, orderId?: string) =>
    orderId ? `order:${orderId}:provisioned` : `subscription:${subscriptionId}:provisioned`,
  extended: (orderId: string) => `order:${orderId}:extended`,
  /** A refunded order's days taken back (ProvisioningService.disable with its orderId). */
  takenBack: (orderId: string) => `order:${orderId}:taken_back`,
  /** A refunded order's take-back that gave up (DisableSubscription's final failure); the sale sweep retries it. */
  takeBackFailed: (orderId: string) => `order:${orderId}:take_back_failed`,
  failed: (kind: ProvisioningJobKind, subscriptionId: string, orderId?: string) =>
    orderId ? `order:${orderId}:${kind}_failed` : `subscription:${subscriptionId}:${kind}_failed`,
};

function permanent(message: string, code: ErrorCode = ErrorCode.CONFLICT): DomainError {
  return new DomainError(code, message);
}

/**
 * Creates, extends and disables the panel accounts behind subscriptions (RELIABILITY.md 4). Every method
 * can run any number of times, concurrently, and after a crash at any point, and still leaves exactly one
 * account per subscription with each order applied once:
 * - the panel and the deterministic username are committed on the subscription before the panel is
 *   called, so every retry goes to the same panel with the same name, and the adapters adopt an existing
 *   account of that name instead of making a second one;
 * - the panel call runs while the subscription row is locked (FOR UPDATE), so jobs for one subscription
 *   take turns; the result and the order's record in `subscription_events` (unique dedupe key) commit
 *   together after the panel said yes, and a later job finds that record and does nothing.
 * A crash after the panel call and before the commit leaves the account on the panel and nothing in the
 * database: the retry recomputes the same spec and the adapter brings the existing account to it.
 */
@Injectable()
export class ProvisioningService {
  private readonly logger = new Logger(ProvisioningService.name);

  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly steps: ProvisioningRepository,
    @Inject(PANEL_DIRECTORY) private readonly directory: PanelDirectoryPort,
    @Inject(PROVISIONING_OUTCOMES) private readonly outcomes: ProvisioningOutcomesPort,
    private readonly outbox: JobOutbox,
  ) {}

  /** A new subscription: its one panel account, active until now + the order's (or plan's) period. */
  async provision(botId: string, subscriptionId: string, orderId?: string): Promise<ProvisioningResult> {
    await this.claimPanel(botId, subscriptionId);
    const result = await this.db.run(botId, async (tx) => {
      const sub = await this.lockSubscription(tx, subscriptionId);
      const key = provisioningKeys.provisioned(subscriptionId, orderId);
      if (sub.status === 'active' || (await this.hasRecord(botId, key))) {
        return { subscriptionId, applied: false, expiresAt: sub.expiresAt };
      }
      if (sub.status !== 'pending') throw permanent(`Subscription is ${sub.status}; there is nothing to provision`);
      const order = orderId ? await this.applicableOrder(botId, orderId, sub.id, ['new', 'trial']) : null;
      const plan = sub.planId ? await this.repos.plans.findById(botId, sub.planId) : null;
      const periodDays = order?.periodDays ?? plan?.periodDays;
      if (!periodDays) throw permanent('Neither an order nor a plan says how long the subscription runs');
      const trafficLimitBytes = order
        ? order.trafficBytes
        : plan
          ? plan.trafficLimitGb * BYTES_PER_GB
          : sub.trafficLimitBytes;
      const user = await this.repos.users.findById(botId, sub.userId);
      if (!user) throw permanent('The subscription has no user', ErrorCode.NOT_FOUND);

      const startsAt = new Date();
      const expiresAt = new Date(startsAt.getTime() + periodDays * DAY_MS);
      const adapter = await this.adapterFor(sub);
      const account = await adapter.upsertUser({
        username: sub.panelUsername!,
        expireAt: expiresAt,
        trafficLimitBytes,
        deviceLimit: sub.deviceLimit,
        telegramId: user.telegramId,
        note: `botfleet subscription ${sub.id}`,
      });

      await this.repos.subscriptions.update(
        botId,
        { id: sub.id },
        {
          status: 'active',
          subscriptionUrl: account.subscriptionUrl,
          startsAt,
          expiresAt,
          trafficLimitBytes,
          trafficUsedBytes: clampCounter(account.usedTrafficBytes),
          lastSyncedAt: new Date(),
        },
      );
      await this.record(tx, sub.id, 'provisioned', key, {
        orderId: orderId ?? null,
        panelId: sub.panelId,
        periodDays,
        expiresAt: expiresAt.toISOString(),
        trafficLimitBytes,
      });
      return { subscriptionId, applied: true, expiresAt };
    });
    if (result.applied) this.logger.log({ botId, subscriptionId, orderId }, 'subscription provisioned');
    await this.outcomes.succeeded(botId, subscriptionId, orderId);
    return result;
  }

  /**
   * A renewal: the same account, its expiry moved to the later of now and the current expiry plus the
   * order's days, traffic topped up by the order's package, the device limit of the order's plan (the
   * subscription takes that plan), re-enabled if it was disabled. Applied once per order.
   */
  async extend(botId: string, subscriptionId: string, orderId: string | undefined): Promise<ProvisioningResult> {
    if (!orderId) throw permanent('A renewal needs its order', ErrorCode.VALIDATION_FAILED);
    const result = await this.db.run(botId, async (tx) => {
      const sub = await this.lockSubscription(tx, subscriptionId);
      const key = provisioningKeys.extended(orderId);
      if (await this.hasRecord(botId, key)) return { subscriptionId, applied: false, expiresAt: sub.expiresAt };
      // Given up (and refunded) under this same lock: it is never applied afterwards.
      if (await this.hasRecord(botId, provisioningKeys.failed('extend', subscriptionId, orderId))) {
        throw permanent('This renewal was given up and refunded');
      }
      if (sub.status === 'pending' || sub.status === 'failed' || !sub.panelId || !sub.panelUsername) {
        throw permanent(`Subscription is ${sub.status} and has no account to extend`);
      }
      const order = await this.applicableOrder(botId, orderId, sub.id, ['renewal']);
      // The renewal gives what its plan sells, never what the subscription had: that plan's device limit too.
      const plan = await this.repos.plans.findById(botId, order.planId);
      const deviceLimit = plan?.deviceLimit ?? sub.deviceLimit;
      const now = Date.now();
      const base = Math.max(now, sub.expiresAt?.getTime() ?? now);
      const expiresAt = new Date(base + order.periodDays * DAY_MS);
      const adapter = await this.adapterFor(sub);

      let account: PanelUser;
      let trafficLimitBytes: number;
      try {
        const current = await adapter.getUser(sub.panelUsername);
        // A fresh package on top of what was used: nothing to reset on the panel, nothing lost to a sync lag.
        trafficLimitBytes =
          order.trafficBytes > 0 ? clampCounter(clampCounter(current.usedTrafficBytes) + order.trafficBytes) : 0;
        account = await adapter.extendUser(sub.panelUsername, { expireAt: expiresAt, trafficLimitBytes, deviceLimit });
        if (account.status === 'disabled') {
          await adapter.setEnabled(sub.panelUsername, true);
          account = { ...account, status: 'active' };
        }
      } catch (err) {
        if (!DomainError.is(err, ErrorCode.PANEL_USER_NOT_FOUND)) throw err;
        // Someone removed the account on the panel: the renewal brings it back under the same name.
        const user = await this.repos.users.findById(botId, sub.userId);
        trafficLimitBytes = order.trafficBytes;
        account = await adapter.upsertUser({
          username: sub.panelUsername,
          expireAt: expiresAt,
          trafficLimitBytes,
          deviceLimit,
          telegramId: user?.telegramId,
          note: `botfleet subscription ${sub.id}`,
        });
      }

      await this.repos.subscriptions.update(
        botId,
        { id: sub.id },
        {
          status: 'active',
          planId: order.planId,
          deviceLimit,
          expiresAt,
          trafficLimitBytes,
          trafficUsedBytes: clampCounter(account.usedTrafficBytes),
          subscriptionUrl: account.subscriptionUrl,
          lastSyncedAt: new Date(),
        },
      );
      await this.record(tx, sub.id, 'extended', key, {
        orderId,
        periodDays: order.periodDays,
        previousExpiresAt: sub.expiresAt?.toISOString() ?? null,
        expiresAt: expiresAt.toISOString(),
        trafficLimitBytes,
        planId: order.planId,
        deviceLimit,
        // What this renewal replaced: a refund of it puts these back (see `takeBack`).
        previousTrafficLimitBytes: sub.trafficLimitBytes,
        previousPlanId: sub.planId,
        previousDeviceLimit: sub.deviceLimit,
      });
      // A disabled account gave its slot back when it was disabled; it takes one again.
      if (sub.status === 'disabled') await this.directory.adjustLoad(sub.panelId, 1);
      return { subscriptionId, applied: true, expiresAt };
    });
    if (result.applied) this.logger.log({ botId, subscriptionId, orderId }, 'subscription extended');
    await this.outcomes.succeeded(botId, subscriptionId, orderId);
    return result;
  }

  /**
   * A subscription past its end becomes `expired`, and the switch-off of its account is queued in the same
   * transaction (job outbox). Conditional: one already renewed, expired or disabled is left alone. Returns
   * whether it expired now.
   */
  async expire(botId: string, subscriptionId: string, now = new Date()): Promise<boolean> {
    return this.db.run(botId, async (tx) => {
      const endedAt = await this.steps.markExpired(botId, subscriptionId, now);
      if (!endedAt) return false;
      const at = new Date(endedAt).toISOString();
      await this.record(tx, subscriptionId, 'expired', `subscription:${subscriptionId}:expired:${at}`, {
        expiresAt: at,
      });
      await this.outbox.add(
        botId,
        JobName.DisableSubscription,
        { botId, subscriptionId, reason: SUBSCRIPTION_EXPIRED },
        jobIdFor(JobName.DisableSubscription, [botId, subscriptionId, 'expired', new Date(endedAt).getTime()]),
      );
      this.logger.log({ botId, subscriptionId }, 'subscription expired');
      return true;
    });
  }

  /**
   * Expired or refunded: the account is switched off on the panel and the subscription is `disabled`. An
   * expiry (reason `SUBSCRIPTION_EXPIRED`) keeps the subscription `expired` and only switches the account
   * off when the panel has not done so itself (see `enforceExpiry`). With the refunded order's id, only what that
   * order paid for is taken back (see `takeBack`).
   */
  async disable(
    botId: string,
    subscriptionId: string,
    reason: string,
    orderId?: string,
  ): Promise<{ applied: boolean }> {
    if (reason === SUBSCRIPTION_EXPIRED) return this.enforceExpiry(botId, subscriptionId);
    if (orderId) return this.takeBack(botId, subscriptionId, orderId, reason);
    return this.db.run(botId, async (tx) => {
      const sub = await this.lockSubscription(tx, subscriptionId);
      if (sub.status === 'disabled') return { applied: false };
      if (sub.panelId && sub.panelUsername && sub.status !== 'pending' && sub.status !== 'failed') {
        const adapter = await this.adapterFor(sub);
        try {
          await adapter.setEnabled(sub.panelUsername, false);
        } catch (err) {
          // An account that is gone is as disabled as it gets.
          if (!DomainError.is(err, ErrorCode.PANEL_USER_NOT_FOUND)) throw err;
        }
      }
      if (sub.status === 'pending' || sub.status === 'failed') return { applied: false };
      await this.repos.subscriptions.update(botId, { id: sub.id }, { status: 'disabled' });
      await this.record(tx, sub.id, 'disabled', null, { reason: reason.slice(0, 200), previousStatus: sub.status });
      if (sub.panelId) await this.directory.adjustLoad(sub.panelId, -1);
      this.logger.log({ botId, subscriptionId, reason }, 'subscription disabled');
      return { applied: true };
    });
  }

  /**
   * A refunded order's days come off the subscription's end. Traffic, plan and device limit change only when the
   * order is a renewal that is still the latest one in force (every renewal applied after it has been refunded too):
   * they go back to what the subscription had before it (recorded by `extend`; before a run of refunded renewals,
   * what the first of them replaced). Otherwise — the order that created the subscription, or a renewal a later
   * renewal replaced — only its days come off: the traffic in force was set by a later order and is not this one's
   * to take. The restored limit is never below what is used on the panel (at it, the account is blocked for traffic)
   * and never 0 (unlimited on every panel) unless the restored plan is unlimited; a renewal recorded before
   * `extend` kept what it replaced gives only its days back. When nothing paid remains — the end falls at or before
   * now — the account is switched off and the subscription `disabled`, as `disable` does. A subscription already
   * switched off (by hand) only has its row changed, so a later renewal starts from the right day. Once per order
   * (`order:{id}:taken_back`); an order that never reached the panel (a renewal not applied, a subscription still
   * pending) has nothing to take back.
   */
  private async takeBack(
    botId: string,
    subscriptionId: string,
    orderId: string,
    reason: string,
  ): Promise<{ applied: boolean }> {
    return this.db.run(botId, async (tx) => {
      const sub = await this.lockSubscription(tx, subscriptionId);
      const key = provisioningKeys.takenBack(orderId);
      if (await this.hasRecord(botId, key)) return { applied: false };
      const order = await this.repos.orders.findById(botId, orderId);
      if (!order || order.subscriptionId !== sub.id) {
        throw permanent('Order not found for this subscription', ErrorCode.NOT_FOUND);
      }
      if (order.status !== 'refunded') throw permanent(`Order is ${order.status}; only a refunded one is taken back`);
      const reached =
        order.kind === 'renewal'
          ? await this.hasRecord(botId, provisioningKeys.extended(orderId))
          : sub.status !== 'pending' && sub.status !== 'failed';
      if (!reached || !sub.expiresAt) {
        await this.record(tx, sub.id, 'taken_back', key, { orderId, reason: reason.slice(0, 200), applied: false });
        return { applied: false };
      }
      const now = Date.now();
      const expiresAt = new Date(sub.expiresAt.getTime() - order.periodDays * DAY_MS);
      const switchOff = expiresAt.getTime() <= now && sub.status !== 'disabled';
      const account = sub.panelId && sub.panelUsername && sub.status !== 'disabled' ? sub.panelUsername : null;
      const adapter = account ? await this.adapterFor(sub) : null;
      const replaced = order.kind === 'renewal' ? await this.replacedByRenewal(botId, sub.id, orderId) : null;
      let trafficUsedBytes = sub.trafficUsedBytes;
      if (replaced && adapter && account && !switchOff) {
        trafficUsedBytes = await this.usedOnPanel(adapter, account, trafficUsedBytes);
      }
      const kept = replaced
        ? await this.restorable(botId, replaced, trafficUsedBytes)
        : { trafficLimitBytes: sub.trafficLimitBytes, planId: sub.planId, deviceLimit: sub.deviceLimit };
      if (adapter && account) {
        try {
          if (switchOff) await adapter.setEnabled(account, false);
          else
            await adapter.extendUser(account, {
              expireAt: expiresAt,
              trafficLimitBytes: kept.trafficLimitBytes,
              deviceLimit: kept.deviceLimit,
            });
        } catch (err) {
          // An account that is gone keeps nothing it was not paid for.
          if (!DomainError.is(err, ErrorCode.PANEL_USER_NOT_FOUND)) throw err;
        }
      }
      await this.repos.subscriptions.update(
        botId,
        { id: sub.id },
        { expiresAt, ...kept, trafficUsedBytes, ...(switchOff ? { status: 'disabled' as const } : {}) },
      );
      await this.record(tx, sub.id, 'taken_back', key, {
        orderId,
        reason: reason.slice(0, 200),
        applied: true,
        periodDays: order.periodDays,
        previousExpiresAt: sub.expiresAt.toISOString(),
        expiresAt: expiresAt.toISOString(),
        restored: replaced !== null,
        trafficLimitBytes: kept.trafficLimitBytes,
        planId: kept.planId,
        deviceLimit: kept.deviceLimit,
        previousTrafficLimitBytes: sub.trafficLimitBytes,
        previousPlanId: sub.planId,
        previousDeviceLimit: sub.deviceLimit,
        switchedOff: switchOff,
        previousStatus: sub.status,
      });
      if (switchOff && sub.panelId) await this.directory.adjustLoad(sub.panelId, -1);
      this.logger.log({ botId, subscriptionId, orderId, switchOff }, "a refunded order's days taken back");
      return { applied: true };
    });
  }

  /**
   * What a refunded renewal gives back, or null when it gives back only its days: a later renewal still in force
   * replaced it, or its record predates `extend` keeping what it replaced. Renewals are taken in the order they were
   * applied (under the subscription's lock, so their records' times are in that order); refunded renewals right
   * before it are skipped, so the subscription goes back to what it had before all of them.
   */
  private async replacedByRenewal(
    botId: string,
    subscriptionId: string,
    orderId: string,
  ): Promise<{ trafficLimitBytes: number; planId: string | null; deviceLimit: number } | null> {
    const renewals = await this.repos.subscriptionEvents.find(botId, {
      where: { subscriptionId, type: 'extended' },
      order: { createdAt: 'ASC' },
    });
    const takenBack = await this.repos.subscriptionEvents.find(botId, {
      where: { subscriptionId, type: 'taken_back' },
    });
    const refunded = new Set([orderId, ...takenBack.map((e) => String(e.data.orderId))]);
    const at = renewals.findIndex((e) => e.data.orderId === orderId);
    if (at < 0 || renewals.slice(at + 1).some((e) => !refunded.has(String(e.data.orderId)))) return null;
    let first = at;
    while (first > 0 && refunded.has(String(renewals[first - 1].data.orderId))) first--;
    const data = renewals[first].data;
    if (typeof data.previousTrafficLimitBytes !== 'number' || typeof data.previousDeviceLimit !== 'number') return null;
    return {
      trafficLimitBytes: data.previousTrafficLimitBytes,
      planId: typeof data.previousPlanId === 'string' ? data.previousPlanId : null,
      deviceLimit: data.previousDeviceLimit,
    };
  }

  /** The restored limit: at least what is used (blocked, not unlimited), 0 only when the restored plan is unlimited. */
  private async restorable(
    botId: string,
    replaced: { trafficLimitBytes: number; planId: string | null; deviceLimit: number },
    usedBytes: number,
  ): Promise<{ trafficLimitBytes: number; planId: string | null; deviceLimit: number }> {
    const plan = replaced.planId ? await this.repos.plans.findById(botId, replaced.planId) : null;
    const unlimited = replaced.trafficLimitBytes <= 0 && plan !== null && !(plan.trafficLimitGb > 0);
    // 1 byte when nothing is used: the smallest limit that is still a limit.
    const trafficLimitBytes = unlimited ? 0 : Math.max(replaced.trafficLimitBytes, usedBytes, 1);
    return { ...replaced, trafficLimitBytes };
  }

  /** Traffic used as the panel counts it (the synced row may lag); the row's value when the account is gone. */
  private async usedOnPanel(adapter: PanelAdapter, username: string, fallback: number): Promise<number> {
    try {
      return clampCounter((await adapter.getUser(username)).usedTrafficBytes);
    } catch (err) {
      if (DomainError.is(err, ErrorCode.PANEL_USER_NOT_FOUND)) return fallback;
      throw err;
    }
  }

  /**
   * Every panel we speak to ends an account at its own expiry (Remnawave and Marzban mark it expired, 3x-ui's
   * periodic job switches the client off), but only at the expiry the panel holds: an account whose panel
   * expiry is later than ours (or none: edited by hand, a renewal whose panel call half-failed) would keep
   * working. So the account is read back, and switched off unless the panel already stopped it. A renewal
   * that ran in between (the subscription `active` again) wins: nothing is done. The row lock makes the two
   * take turns; a renewal re-enables an account switched off here.
   */
  private async enforceExpiry(botId: string, subscriptionId: string): Promise<{ applied: boolean }> {
    return this.db.run(botId, async (tx) => {
      const sub = await this.lockSubscription(tx, subscriptionId);
      if (sub.status !== 'expired' || !sub.panelId || !sub.panelUsername) return { applied: false };
      const adapter = await this.adapterFor(sub);
      try {
        const account = await adapter.getUser(sub.panelUsername);
        if (account.status !== 'active') return { applied: false };
        await adapter.setEnabled(sub.panelUsername, false);
      } catch (err) {
        // An account that is gone is as switched off as it gets.
        if (DomainError.is(err, ErrorCode.PANEL_USER_NOT_FOUND)) return { applied: false };
        throw err;
      }
      await this.record(tx, sub.id, 'expiry_enforced', null, { expiresAt: sub.expiresAt?.toISOString() ?? null });
      this.logger.log({ botId, subscriptionId }, 'expired subscription switched off on its panel');
      return { applied: true };
    });
  }

  /**
   * Provisioning gave up (the job's last attempt, or an error a retry cannot fix). If the work was in fact
   * done (a crash after the commit, an outcome that failed to run) the success is reported instead. A new
   * subscription becomes `failed` and gives its panel slot back (its account, if one was made, is removed
   * best-effort so nobody keeps a config that was refunded); a renewal leaves the subscription as it was.
   * Then the outcome port hears of it. Safe to call more than once.
   */
  async fail(
    botId: string,
    kind: ProvisioningJobKind,
    subscriptionId: string,
    orderId: string | undefined,
    reason: string,
  ): Promise<'failed' | 'succeeded'> {
    const doneKey =
      kind === 'provision'
        ? provisioningKeys.provisioned(subscriptionId, orderId)
        : orderId && provisioningKeys.extended(orderId);
    const orphans: SubscriptionEntity[] = [];
    const settled = await this.db.run(botId, async (tx) => {
      // The lock first, then the question: a job still at the panel holds this lock until its result is
      // committed, so "was it done?" is answered after it, and a renewal applied is never refunded.
      const sub = await this.repos.subscriptions.findById(botId, subscriptionId, 'pessimistic_write');
      if (doneKey && (await this.hasRecord(botId, doneKey))) return 'succeeded' as const;
      if (!sub) return 'failed' as const;
      if (kind === 'provision' && sub.status === 'active') return 'succeeded' as const;
      await this.record(tx, sub.id, `${kind}_failed`, provisioningKeys.failed(kind, subscriptionId, orderId), {
        orderId: orderId ?? null,
        reason: reason.slice(0, 500),
      });
      if (kind === 'provision') {
        const moved = await this.repos.subscriptions.update(
          botId,
          { id: sub.id, status: 'pending' },
          { status: 'failed' },
        );
        if (moved && sub.panelId && sub.panelUsername) {
          await this.directory.adjustLoad(sub.panelId, -1);
          orphans.push(sub);
        }
      }
      return 'failed' as const;
    });
    for (const sub of orphans) await this.removeOrphan(sub);
    if (settled === 'succeeded') {
      await this.outcomes.succeeded(botId, subscriptionId, orderId);
      return settled;
    }
    this.logger.warn({ botId, subscriptionId, orderId, kind, reason }, 'provisioning failed for good');
    await this.outcomes.failed(botId, subscriptionId, orderId, reason);
    return settled;
  }

  /**
   * The final failure of a switch-off (DisableSubscription): with a refunded order's id, its take-back gave up
   * (the panel kept failing), so the customer may keep days the shop refunded. Recorded durably, once per order
   * (`order:{id}:take_back_failed`; a switch-off without an order, each time, as `disable_failed`), for the
   * operator's alert and the sale sweep, which queues the take-back again while `order:{id}:taken_back` is
   * missing. Answers `succeeded` when the take-back was in fact done (its record exists) or the subscription is
   * already disabled by a switch-off without an order, so the job completes instead. `quiet` for an expiry's
   * switch-off (SUBSCRIPTION_EXPIRED): the subscription is expired whatever the panel did and the panel ends the
   * account at its own expiry, so nothing is recorded and nobody is alerted (a panel down while many subscriptions
   * expire would otherwise alert once per subscription, beside the panel's own alert).
   */
  async disableFailed(
    botId: string,
    subscriptionId: string,
    reason: string,
    orderId: string | undefined,
    error: string,
  ): Promise<'failed' | 'succeeded' | 'quiet'> {
    if (reason === SUBSCRIPTION_EXPIRED && !orderId) return 'quiet';
    const settled = await this.db.run(botId, async (tx) => {
      const sub = await this.repos.subscriptions.findById(botId, subscriptionId, 'pessimistic_write');
      if (orderId && (await this.hasRecord(botId, provisioningKeys.takenBack(orderId)))) return 'succeeded' as const;
      if (!sub) return 'failed' as const;
      if (!orderId && sub.status === 'disabled') return 'succeeded' as const;
      await this.record(
        tx,
        sub.id,
        orderId ? 'take_back_failed' : 'disable_failed',
        orderId ? provisioningKeys.takeBackFailed(orderId) : null,
        { orderId: orderId ?? null, reason: reason.slice(0, 200), error: error.slice(0, 500) },
      );
      return 'failed' as const;
    });
    if (settled === 'failed') {
      this.logger.warn({ botId, subscriptionId, orderId, reason, error }, 'switch-off failed for good');
    }
    return settled;
  }

  // ---- steps -----------------------------------------------------------------------------------------

  /**
   * Step one, committed on its own: the subscription gets its panel and panel username before any panel is
   * called. Concurrent jobs race on a conditional update; the loser gives its reserved slot back.
   */
  private async claimPanel(botId: string, subscriptionId: string): Promise<void> {
    const sub = await this.repos.subscriptions.findById(botId, subscriptionId);
    if (!sub) throw permanent('Subscription not found', ErrorCode.NOT_FOUND);
    if ((sub.panelId && sub.panelUsername) || sub.status !== 'pending') return;
    const plan = sub.planId ? await this.repos.plans.findById(botId, sub.planId) : null;
    const choice = await this.directory.choosePanel({
      panelId: sub.panelId ?? plan?.panelId,
      location: plan?.location,
    });
    const username = panelUsername(sub.id, choice.type);
    const claimed = await this.db.run(botId, () => this.steps.claimPanel(botId, sub.id, choice.id, username));
    if (!claimed) await this.directory.adjustLoad(choice.id, -1);
  }

  private async lockSubscription(tx: TenantTx, subscriptionId: string): Promise<SubscriptionEntity> {
    const sub = await this.steps.lockSubscription(tx.botId, subscriptionId, SUBSCRIPTION_LOCK_TIMEOUT);
    if (!sub) throw permanent('Subscription not found', ErrorCode.NOT_FOUND);
    return sub;
  }

  private async applicableOrder(
    botId: string,
    orderId: string,
    subscriptionId: string,
    kinds: OrderEntity['kind'][],
  ): Promise<OrderEntity> {
    const order = await this.repos.orders.findById(botId, orderId);
    if (!order || order.subscriptionId !== subscriptionId || !kinds.includes(order.kind)) {
      throw permanent('Order not found for this subscription', ErrorCode.NOT_FOUND);
    }
    if (!APPLICABLE_ORDER_STATES.has(order.status)) {
      throw permanent(`Order is ${order.status}; only a paid order is fulfilled`);
    }
    return order;
  }

  private async adapterFor(sub: SubscriptionEntity): Promise<PanelAdapter> {
    if (!sub.panelId) throw permanent('Subscription has no panel');
    return createPanelAdapter(await this.directory.getPanelConfig(sub.panelId));
  }

  private async hasRecord(botId: string, dedupeKey: string): Promise<boolean> {
    return (await this.repos.subscriptionEvents.count(botId, { dedupeKey })) > 0;
  }

  private async record(
    tx: TenantTx,
    subscriptionId: string,
    type: string,
    dedupeKey: string | null,
    data: Record<string, unknown>,
  ): Promise<void> {
    await this.steps.recordEvent(tx.botId, subscriptionId, type, dedupeKey, data);
  }

  private async removeOrphan(sub: SubscriptionEntity): Promise<void> {
    try {
      const adapter = await this.adapterFor(sub);
      await adapter.deleteUser(sub.panelUsername!);
    } catch (err) {
      // Usually the panel is still down (why we gave up) or never had the account: nothing to remove.
      if (!DomainError.is(err, ErrorCode.PANEL_USER_NOT_FOUND)) {
        this.logger.warn(
          { botId: sub.botId, subscriptionId: sub.id },
          'could not remove the account of a failed subscription',
        );
      }
    }
  }
}
