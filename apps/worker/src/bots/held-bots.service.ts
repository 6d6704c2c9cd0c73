import { Injectable, Logger } from '@nestjs/common';
import { webhookSecretFor, webhookUrl } from '@botfleet/bot-api';
import { describeError } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { HostedBotRow } from '@botfleet/platform';
import { TokenHasher } from '@botfleet/secrets';
import { BotRuntimes } from '@botfleet/telegram';
import { KeyedSerialQueue } from '../updates/keyed-serial-queue';
import { Semaphore } from '../updates/semaphore';
import { UpdateHandler } from '../updates/update-handler.service';
import { BotLeaseService, Lease } from './bot-lease.service';
import { botLeaseLost, botLeaseReleased, botsRunning, telegramApiTrouble } from './bot-metrics';
import { BotPoller } from './bot-poller';
import { DesiredBots } from './desired-bots.service';

/** A bot this worker holds the lease of. */
export interface Held {
  lease: Lease;
  /** When the acquisition was sent: the lease is valid for TTL from then at least. */
  acquiredAt: number;
  row: HostedBotRow;
  poller?: BotPoller;
}

export interface StopOptions {
  /** Give the lease back (someone else may take the bot at once). */
  release: boolean;
  /** Tell Telegram what was handled, so the next poller starts after it. */
  confirm: boolean;
  /** Webhook mode: delete the webhook (the bot is paused or its token changes). */
  removeWebhook: boolean;
}

/** Waiting for a running update before giving up a bot (handover, pause, shutdown). */
const STOP_GRACE_MS = 8_000;

/**
 * The bots this worker holds the lease of, and what runs for each: in polling mode deleteWebhook once, then
 * our own poller; in webhook mode setWebhook with the derived secret (any worker handles the queued updates).
 * A poller runs only while its lease is trusted: renewed (or acquired) less than the lease TTL ago, minus a
 * margin. Start, reload and stop of one bot never interleave (`serially`).
 */
@Injectable()
export class HeldBots {
  private readonly logger = new Logger(HeldBots.name);
  private readonly held = new Map<string, Held>();
  private readonly cooldown = new Map<string, number>();
  /** Bot API calls made when bots start (setWebhook / deleteWebhook): a boot with thousands stays gentle. */
  private readonly starting = new Semaphore(64);
  private readonly ops = new KeyedSerialQueue();
  private readonly validityMs: number;
  private lastRenewAt = 0;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly leases: BotLeaseService,
    private readonly desired: DesiredBots,
    private readonly runtimes: BotRuntimes,
    private readonly handler: UpdateHandler,
    private readonly hasher: TokenHasher,
  ) {
    // Stop trusting a lease a little before it can expire in Redis.
    this.validityMs = config.BOT_LEASE_TTL_MS - Math.min(1_000, Math.floor(config.BOT_LEASE_TTL_MS / 5));
  }

  get size(): number {
    return this.held.size;
  }

  /** True once the worker shuts down: nothing starts any more. */
  get stopping(): boolean {
    return this.stopped;
  }

  get(botId: string): Held | undefined {
    return this.held.get(botId);
  }

  all(): Held[] {
    return [...this.held.values()];
  }

  /** Runs `op` after the bot's earlier starts and stops. */
  serially<T>(botId: string, op: () => Promise<T>): Promise<T> {
    return this.ops.run(botId, op);
  }

  coolingDown(botId: string, now: number): boolean {
    return (this.cooldown.get(botId) ?? 0) > now;
  }

  /** All leases were renewed by a round sent at `at`. */
  renewed(at: number): void {
    this.lastRenewAt = at;
  }

  /** Whether the lease is still surely ours (and the bot still held by this very start). */
  leaseValid(h: Held): boolean {
    return (
      this.held.get(h.lease.botId) === h && Date.now() < Math.max(this.lastRenewAt, h.acquiredAt) + this.validityMs
    );
  }

  /** Starts a bot whose lease was just taken (inside its serial operations). */
  async start(lease: Lease, acquiredAt: number): Promise<void> {
    const row = this.desired.get(lease.botId);
    if (!row || this.stopped) {
      await this.leases.release([lease]);
      return;
    }
    this.logger.debug(`bot ${lease.botId}: lease ${lease.value} taken${lease.takeover ? ' over' : ''}, starting`);
    const held: Held = { lease, acquiredAt, row };
    this.held.set(lease.botId, held);
    botsRunning.set(this.held.size);
    const runtime = this.desired.runtimeOf(row);
    if (!runtime) {
      await this.stop(lease.botId, { release: true, confirm: false, removeWebhook: false });
      this.cooldown.set(lease.botId, Date.now() + 60_000);
      return;
    }
    const telegram = runtime.telegraf.telegram;
    try {
      if (this.config.BOT_MODE === 'webhook') {
        await this.starting.use(() =>
          telegram.setWebhook(webhookUrl(this.config.PUBLIC_BASE_URL, row.id), {
            secret_token: webhookSecretFor(this.hasher, row.id, row.webhookSecretSalt),
            max_connections: 40,
          }),
        );
        return;
      }
      // Coming back from webhook mode: getUpdates answers 409 while a webhook is set. Pending updates stay.
      await this.starting.use(() => telegram.deleteWebhook({ drop_pending_updates: false }));
    } catch (e) {
      // 401 is handled by the runtime's hook; anything else: let the poller (or the next holder) try again.
      this.logger.warn(`starting bot ${row.id} failed: ${describeError(e)}`);
      if (this.config.BOT_MODE === 'webhook') return;
    }
    if (this.held.get(lease.botId) !== held) return;
    const poller = new BotPoller(runtime, this.handler, {
      timeoutS: this.config.BOT_POLL_TIMEOUT_S,
      leaseValid: () => this.leaseValid(held),
      onConflict: () => this.onConflict(lease.botId, held),
    });
    held.poller = poller;
    poller.start();
  }

  async stop(botId: string, opts: StopOptions): Promise<void> {
    const held = this.held.get(botId);
    if (!held) return;
    this.logger.debug(`bot ${botId}: stopping (release ${opts.release})`);
    this.held.delete(botId);
    botsRunning.set(this.held.size);
    await held.poller?.stop(STOP_GRACE_MS, opts.confirm);
    if (opts.removeWebhook && this.config.BOT_MODE === 'webhook') {
      await this.runtimes
        .cached(botId)
        ?.telegraf.telegram.deleteWebhook({ drop_pending_updates: false })
        .catch(() => undefined);
    }
    if (opts.release) {
      await this.leases
        .release([held.lease])
        .catch((e: unknown) => this.logger.warn(`release of bot ${botId} failed: ${describeError(e)}`));
      botLeaseReleased.inc();
    }
  }

  /**
   * Graceful shutdown (RELIABILITY.md 14): nothing starts any more, every poller aborts its long poll, the
   * updates in flight finish (bounded) and what was handled is confirmed. Returns the leases to release.
   */
  async stopAll(): Promise<Lease[]> {
    this.stopped = true;
    const held = this.all();
    this.held.clear();
    await Promise.all(held.map((h) => h.poller?.stop(STOP_GRACE_MS, true)));
    botsRunning.set(0);
    return held.map((h) => h.lease);
  }

  /** 409: another getUpdates (or a webhook) is live for this token. Give the lease up and stay away a while. */
  private onConflict(botId: string, held: Held): void {
    telegramApiTrouble.inc({ kind: '409' });
    botLeaseLost.inc({ reason: 'conflict' });
    this.logger.warn(`bot ${botId}: Telegram says another poller is active (409); giving up the lease`);
    this.cooldown.set(botId, Date.now() + 2 * this.config.BOT_LEASE_TTL_MS);
    void this.ops.run(botId, async () => {
      if (this.held.get(botId) === held)
        await this.stop(botId, { release: true, confirm: false, removeWebhook: false });
    });
  }
}
