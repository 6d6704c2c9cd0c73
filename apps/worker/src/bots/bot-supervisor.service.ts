import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { describeError } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { BotEvent, BotEventType } from '@botfleet/bots';
import { BotProfileService } from '@botfleet/telegram';
import { BotLeaseService } from './bot-lease.service';
import { botLeaseReleased, workerInfo } from './bot-metrics';
import { DesiredBots } from './desired-bots.service';
import { HeldBots } from './held-bots.service';
import { LeaseKeeper } from './lease-keeper.service';

/**
 * Runs the tenants' bots (PRODUCT.md C6): brings what this worker runs in line with the bots that should
 * run. The parts, each in its own file:
 *  - DesiredBots: which bots should run (bot events from the API, a periodic reconcile);
 *  - LeaseKeeper: the lease economy (acquire up to the fair share, renew, stop what is lost);
 *  - HeldBots: what runs for a held bot (our poller, or the webhook registration) and stopping it;
 *  - TokenRevocation: the reaction to a 401 on any of the bots' clients (BotRuntimes);
 *  - the webhook-update processor hands queued updates to the runtimes and the pipeline directly.
 * This class owns the timers, the reaction to one bot's change (start, reload with a new token, stop) and
 * the graceful shutdown.
 */
@Injectable()
export class BotSupervisor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BotSupervisor.name);
  private readonly timers: NodeJS.Timeout[] = [];
  private reconciling = false;

  constructor(
    private readonly config: AppConfig,
    private readonly leases: BotLeaseService,
    private readonly desired: DesiredBots,
    private readonly held: HeldBots,
    private readonly keeper: LeaseKeeper,
    private readonly profiles: BotProfileService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    workerInfo.set({ worker_id: this.leases.workerId }, 1);
    await this.desired.listen((event) => this.onEvent(event));
    await this.reconcile();
    await this.keeper.renewTick();
    await this.keeper.acquireTick();
    this.every(this.config.BOT_LEASE_RENEW_MS, () => this.keeper.renewTick());
    this.every(this.config.BOT_ACQUIRE_INTERVAL_MS, () => this.keeper.acquireTick());
    this.every(this.config.BOT_RECONCILE_MS, () => this.reconcile());
    this.logger.log(`worker ${this.leases.workerId} hosts bots in ${this.config.BOT_MODE} mode`);
  }

  /**
   * Graceful shutdown (RELIABILITY.md 14): stop taking updates, let the updates in flight finish (bounded),
   * confirm what was handled, release the leases and leave the set of live workers, so the others take the
   * bots at once instead of after the lease TTL.
   */
  async onModuleDestroy(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    const stopped = this.held.stopAll();
    await this.desired.close();
    const leases = await stopped;
    await this.leases.release(leases).catch((e: unknown) => this.warn('release on shutdown', e));
    botLeaseReleased.inc(leases.length);
    await this.leases.leave().catch(() => undefined);
  }

  private onEvent(event: BotEvent): void {
    if (this.held.stopping) return;
    this.profiles.invalidate(event.botId);
    void this.held
      .serially(event.botId, () => this.refresh(event.botId, event.type))
      .catch((e: unknown) => this.warn(`event ${event.type} of bot ${event.botId}`, e));
  }

  /** Re-reads one bot and brings this worker in line: start, reload (new token), or stop. */
  private async refresh(botId: string, reason: BotEventType | 'reconcile'): Promise<void> {
    const row = await this.desired.reread(botId);
    if (!row || row.status !== 'active') {
      // Paused, suspended or deleted: no webhook either, so Telegram keeps the updates until it resumes.
      const removeWebhook = !!row && row.status !== 'token_invalid';
      await this.held.stop(botId, { release: true, confirm: true, removeWebhook });
      return;
    }
    const held = this.held.get(botId);
    if (held && held.row.tokenHash !== row.tokenHash) {
      this.logger.log(`bot ${botId}: new token (${reason}), restarting`);
      await this.held.stop(botId, { release: false, confirm: false, removeWebhook: true });
      this.desired.dropRuntime(botId);
      await this.held.start(held.lease, held.acquiredAt);
      return;
    }
    if (held) {
      held.row = row;
      return;
    }
    this.desired.dropStaleRuntime(row);
    // Already inside this bot's serial operations: start directly.
    if (reason !== 'reconcile') await this.keeper.takeIfRoom(botId);
  }

  private async reconcile(): Promise<void> {
    if (this.reconciling || this.held.stopping) return;
    this.reconciling = true;
    try {
      await this.desired.reconcile();
      const stale = this.held.all().filter((h) => this.desired.get(h.lease.botId)?.tokenHash !== h.row.tokenHash);
      for (const h of stale) {
        const botId = h.lease.botId;
        void this.held
          .serially(botId, () => this.refresh(botId, 'reconcile'))
          .catch((e: unknown) => this.warn(`reconcile of bot ${botId}`, e));
      }
    } catch (e) {
      this.warn('reconcile', e);
    } finally {
      this.reconciling = false;
    }
  }

  private every(ms: number, fn: () => Promise<void>): void {
    const t = setInterval(() => void fn(), ms);
    t.unref();
    this.timers.push(t);
  }

  private warn(what: string, err: unknown): void {
    this.logger.warn(`${what} failed: ${describeError(err)}`);
  }
}
