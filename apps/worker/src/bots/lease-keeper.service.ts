import { Injectable, Logger } from '@nestjs/common';
import { describeError } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { BotLeaseService, Lease } from './bot-lease.service';
import { botLeaseLost, botLeaseTakeovers } from './bot-metrics';
import { DesiredBots } from './desired-bots.service';
import { HeldBots } from './held-bots.service';

/**
 * The lease economy (RELIABILITY.md 12): a bot runs only where its lease is held (BotLeaseService), so each
 * token has one poller across all workers. This worker takes at most its fair share
 * ceil(bots / live workers) + BOT_LEASE_SLACK and gives the rest back, so a new worker gets work and a dead
 * worker's bots are taken once their leases expire. It renews every BOT_LEASE_RENEW_MS; a lease it cannot
 * renew stops that bot's poller at once, and a worker cut off from Redis stops all of them before its leases
 * can expire.
 */
@Injectable()
export class LeaseKeeper {
  private readonly logger = new Logger(LeaseKeeper.name);
  private readonly busy = { acquire: false, renew: false };
  private liveWorkers = 1;

  constructor(
    private readonly config: AppConfig,
    private readonly leases: BotLeaseService,
    private readonly desired: DesiredBots,
    private readonly held: HeldBots,
  ) {}

  fairShare(): number {
    return Math.ceil(this.desired.size / this.liveWorkers) + this.config.BOT_LEASE_SLACK;
  }

  /** Takes this bot now if this worker is below its share (called inside the bot's serial operations). */
  async takeIfRoom(botId: string): Promise<void> {
    if (this.held.size >= this.fairShare()) return;
    const started = Date.now();
    const [lease] = await this.leases.acquire([botId], 1);
    if (lease?.takeover) botLeaseTakeovers.inc();
    if (lease) await this.held.start(lease, started);
  }

  async acquireTick(): Promise<void> {
    if (this.busy.acquire || this.held.stopping) return;
    this.busy.acquire = true;
    try {
      const share = this.fairShare();
      if (this.held.size > share) {
        // More than our share (another worker joined): give the newest back; they restart there.
        const excess = this.held
          .all()
          .slice(share)
          .map((h) => h.lease.botId);
        for (const botId of excess) {
          void this.held.serially(botId, () =>
            this.held.stop(botId, { release: true, confirm: true, removeWebhook: false }),
          );
        }
        return;
      }
      const room = share - this.held.size;
      if (room <= 0 || this.held.size >= this.desired.size) return;
      const now = Date.now();
      const candidates = this.desired.ids().filter((id) => !this.held.get(id) && !this.held.coolingDown(id, now));
      if (!candidates.length) return;
      const free = await this.leases.unheld(shuffle(candidates));
      if (!free.length) return;
      const started = Date.now();
      const acquired = await this.leases.acquire(free, room);
      await Promise.all(acquired.map((lease) => this.take(lease, started)));
    } catch (e) {
      this.warn('acquire', e);
    } finally {
      this.busy.acquire = false;
    }
  }

  async renewTick(): Promise<void> {
    if (this.busy.renew || this.held.stopping) return;
    this.busy.renew = true;
    const started = Date.now();
    try {
      this.liveWorkers = await this.leases.heartbeat();
      const lost = await this.leases.renew(this.held.all().map((h) => h.lease));
      this.held.renewed(started);
      for (const l of lost) {
        if (this.held.get(l.botId)?.lease.value !== l.value) continue;
        botLeaseLost.inc({ reason: 'expired' });
        this.logger.warn(`lease of bot ${l.botId} lost, stopping it`);
        void this.held.serially(l.botId, () =>
          this.held.stop(l.botId, { release: false, confirm: false, removeWebhook: false }),
        );
      }
    } catch (e) {
      this.warn('lease renewal', e);
      // Cut off from Redis: once our leases may have expired, someone else may poll; stop everything.
      for (const h of this.held.all()) {
        if (this.held.leaseValid(h)) continue;
        const botId = h.lease.botId;
        botLeaseLost.inc({ reason: 'renew_failed' });
        void this.held.serially(botId, () =>
          this.held.stop(botId, { release: false, confirm: false, removeWebhook: false }),
        );
      }
    } finally {
      this.busy.renew = false;
    }
  }

  private async take(lease: Lease, acquiredAt: number): Promise<void> {
    if (lease.takeover) botLeaseTakeovers.inc();
    await this.held.serially(lease.botId, () => this.held.start(lease, acquiredAt));
  }

  private warn(what: string, err: unknown): void {
    this.logger.warn(`${what} failed: ${describeError(err)}`);
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
