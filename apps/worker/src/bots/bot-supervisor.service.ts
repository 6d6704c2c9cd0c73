import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import type { Update } from 'telegraf/types';
import { REDIS, scrubSecrets } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { botEventsChannel, BotEventType, parseBotEvent, publishBotEvent } from '@botfleet/platform';
import { SecretBox, TokenHasher } from '@botfleet/secrets';
import {
  BotProfileService,
  ChatOrder,
  HostedBot,
  HostedBotFactory,
  KeyedSerialQueue,
  Semaphore,
  UpdateHandler,
  UpdateOutcome,
  webhookSecretFor,
  webhookUrl,
} from '@botfleet/telegram';
import { Lease, BotLeaseService } from './bot-lease.service';
import {
  botLeaseLost,
  botLeaseReleased,
  botLeaseTakeovers,
  botsRunning,
  telegramApiTrouble,
  workerInfo,
} from './bot-metrics';
import { BotPoller } from './bot-poller';
import { HostedBotRow, HostedBotsRepository } from '@botfleet/platform';
import { OwnerNotifier } from './owner-notifier.service';

/** A bot this worker holds the lease of. */
interface Held {
  lease: Lease;
  /** When the acquisition was sent: the lease is valid for TTL from then at least. */
  acquiredAt: number;
  row: HostedBotRow;
  poller?: BotPoller;
}

/** A bot's Telegraf instance in this process, for polling and for webhook jobs. */
interface Runtime {
  bot: HostedBot;
  tokenHash: string;
}

/** Waiting for a running update before giving up a bot (handover, pause, shutdown). */
const STOP_GRACE_MS = 8_000;
/** How long a webhook update waits for an earlier update of its chat that another worker is running. */
const WEBHOOK_ORDER_WAIT_MS = 5_000;

/**
 * Runs the tenants' bots (PRODUCT.md C6, issue 4):
 *  - knows which bots should run: all `active` bots, loaded through the platform path at boot, refreshed
 *    by the bot events the API publishes over Redis (a bot is started, reloaded or stopped within a moment
 *    of the event) and by a full reconcile every BOT_RECONCILE_MS as a safety net;
 *  - runs a bot only while it holds its lease (BotLeaseService), so each token has one poller across all
 *    workers; takes at most its fair share ceil(bots / live workers) + BOT_LEASE_SLACK and gives the rest
 *    back, so a new worker gets work and a dead worker's bots are taken once their leases expire;
 *  - renews every BOT_LEASE_RENEW_MS; a lease it cannot renew stops that bot's poller at once, and a
 *    worker cut off from Redis stops all of them before its leases can expire;
 *  - 409 from Telegram = the lease is lost; 401 = token invalid (stop, mark, tell the owner);
 *  - polling mode: deleteWebhook once, then our own poller; webhook mode: setWebhook with the derived
 *    secret, and any worker handles the queued updates (handleWebhookUpdate).
 */
@Injectable()
export class BotSupervisor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BotSupervisor.name);
  private runnable = new Map<string, HostedBotRow>();
  private readonly held = new Map<string, Held>();
  private readonly runtimes = new Map<string, Runtime>();
  private readonly creating = new Map<string, Promise<Runtime | null>>();
  private readonly cooldown = new Map<string, number>();
  private readonly invalidating = new Set<string>();
  /** Bot API calls made when bots start (setWebhook / deleteWebhook): a boot with thousands stays gentle. */
  private readonly starting = new Semaphore(64);
  /** Start, reload and stop of one bot never interleave. */
  private readonly ops = new KeyedSerialQueue();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly busy = { acquire: false, renew: false, reconcile: false };
  private subscriber?: Redis;
  private liveWorkers = 1;
  private lastRenewAt = 0;
  private stopping = false;
  private readonly validityMs: number;
  private readonly chatOrder: ChatOrder;

  constructor(
    private readonly config: AppConfig,
    private readonly leases: BotLeaseService,
    private readonly repo: HostedBotsRepository,
    private readonly factory: HostedBotFactory,
    private readonly handler: UpdateHandler,
    private readonly profiles: BotProfileService,
    private readonly box: SecretBox,
    private readonly hasher: TokenHasher,
    private readonly notifier: OwnerNotifier,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    // Stop trusting a lease a little before it can expire in Redis.
    this.validityMs = config.BOT_LEASE_TTL_MS - Math.min(1_000, Math.floor(config.BOT_LEASE_TTL_MS / 5));
    this.chatOrder = new ChatOrder(redis, config.REDIS_PREFIX);
  }

  get workerId(): string {
    return this.leases.workerId;
  }

  /** Bots this worker runs now (for metrics and tests). */
  get heldBotIds(): string[] {
    return [...this.held.keys()];
  }

  async onApplicationBootstrap(): Promise<void> {
    workerInfo.set({ worker_id: this.workerId }, 1);
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('message', (_channel: string, message: string) => this.onEvent(message));
    this.subscriber.on('error', (err: Error) => this.logger.warn(`bot events subscriber: ${err.message}`));
    await this.subscriber.subscribe(botEventsChannel(this.config.REDIS_PREFIX));
    await this.reconcile();
    await this.renewTick();
    await this.acquireTick();
    this.every(this.config.BOT_LEASE_RENEW_MS, () => this.renewTick());
    this.every(this.config.BOT_ACQUIRE_INTERVAL_MS, () => this.acquireTick());
    this.every(this.config.BOT_RECONCILE_MS, () => this.reconcile());
    this.logger.log(`worker ${this.workerId} hosts bots in ${this.config.BOT_MODE} mode`);
  }

  /**
   * Graceful shutdown (RELIABILITY.md 14): stop taking updates (every poller aborts its long poll), let the
   * updates in flight finish (bounded), confirm what was handled, release the leases and leave the set of
   * live workers, so the others take the bots at once instead of after the lease TTL.
   */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
    const held = [...this.held.values()];
    this.held.clear();
    await Promise.all(held.map((h) => h.poller?.stop(STOP_GRACE_MS, true)));
    await this.leases.release(held.map((h) => h.lease)).catch((e: unknown) => this.warn('release on shutdown', e));
    botLeaseReleased.inc(held.length);
    await this.leases.leave().catch(() => undefined);
    botsRunning.set(0);
  }

  /** A webhook-mode update taken from the queue: handled by this worker whether or not it holds the lease. */
  async handleWebhookUpdate(botId: string, update: Update, signal?: AbortSignal): Promise<UpdateOutcome | 'skipped'> {
    // Another worker may be running an earlier update of the same chat: wait for it (bounded).
    await this.chatOrder.waitTurn(botId, update, WEBHOOK_ORDER_WAIT_MS);
    const runtime = await this.runtimeFor(botId);
    const outcome = runtime ? await this.handler.dispatch(runtime.bot, update, signal) : 'skipped';
    // Only once it is through: an update that throws (retried by BullMQ) keeps its chat's successors waiting.
    await this.chatOrder.done(botId, update).catch(() => undefined);
    return outcome;
  }

  // ---- events and reconcile ----------------------------------------------------------------------

  private onEvent(message: string): void {
    const event = parseBotEvent(message);
    if (!event || this.stopping) return;
    this.profiles.invalidate(event.botId);
    void this.ops
      .run(event.botId, () => this.refresh(event.botId, event.type))
      .catch((e: unknown) => this.warn(`event ${event.type} of bot ${event.botId}`, e));
  }

  /** Re-reads one bot and brings this worker in line: start, reload (new token), or stop. */
  private async refresh(botId: string, reason: BotEventType | 'reconcile'): Promise<void> {
    const row = await this.repo.get(botId);
    if (!row || row.status !== 'active') {
      this.runnable.delete(botId);
      this.dropRuntime(botId);
      // Paused, suspended or deleted: no webhook either, so Telegram keeps the updates until it resumes.
      const removeWebhook = !!row && row.status !== 'token_invalid';
      await this.stopHeld(botId, { release: true, confirm: true, removeWebhook });
      return;
    }
    this.runnable.set(botId, row);
    const held = this.held.get(botId);
    if (held && held.row.tokenHash !== row.tokenHash) {
      this.logger.log(`bot ${botId}: new token (${reason}), restarting`);
      await this.stopHeld(botId, { release: false, confirm: false, removeWebhook: true });
      this.dropRuntime(botId);
      await this.startHeld(held.lease, held.acquiredAt);
      return;
    }
    if (held) {
      held.row = row;
      return;
    }
    if (this.runtimes.get(botId)?.tokenHash !== row.tokenHash) this.dropRuntime(botId);
    if (reason !== 'reconcile' && this.held.size < this.fairShare()) {
      const started = Date.now();
      const [lease] = await this.leases.acquire([botId], 1);
      if (lease?.takeover) botLeaseTakeovers.inc();
      // Already inside this bot's serial operations: start directly.
      if (lease) await this.startHeld(lease, started);
    }
  }

  private async reconcile(): Promise<void> {
    if (this.busy.reconcile || this.stopping) return;
    this.busy.reconcile = true;
    try {
      // Only bots that are new or changed since the last round are read in full.
      const versions = await this.repo.listRunnableVersions();
      const next = new Map<string, HostedBotRow>();
      const changed: string[] = [];
      for (const v of versions) {
        const known = this.runnable.get(v.id);
        if (known && known.tokenHash === v.tokenHash && known.updatedAtMs === v.updatedAtMs) next.set(v.id, known);
        else changed.push(v.id);
      }
      for (const row of await this.repo.getRunnable(changed)) next.set(row.id, row);
      const stale = [...this.held.values()].filter((h) => next.get(h.lease.botId)?.tokenHash !== h.row.tokenHash);
      this.runnable = next;
      for (const [botId, rt] of this.runtimes) if (next.get(botId)?.tokenHash !== rt.tokenHash) this.dropRuntime(botId);
      for (const h of stale) {
        void this.ops
          .run(h.lease.botId, () => this.refresh(h.lease.botId, 'reconcile'))
          .catch((e: unknown) => this.warn(`reconcile of bot ${h.lease.botId}`, e));
      }
    } catch (e) {
      this.warn('reconcile', e);
    } finally {
      this.busy.reconcile = false;
    }
  }

  // ---- leases ------------------------------------------------------------------------------------

  private fairShare(): number {
    return Math.ceil(this.runnable.size / this.liveWorkers) + this.config.BOT_LEASE_SLACK;
  }

  private async acquireTick(): Promise<void> {
    if (this.busy.acquire || this.stopping) return;
    this.busy.acquire = true;
    try {
      const share = this.fairShare();
      if (this.held.size > share) {
        // More than our share (another worker joined): give the newest back; they restart there.
        const excess = [...this.held.keys()].slice(share);
        for (const botId of excess) {
          void this.ops.run(botId, () => this.stopHeld(botId, { release: true, confirm: true, removeWebhook: false }));
        }
        return;
      }
      const room = share - this.held.size;
      if (room <= 0 || this.held.size >= this.runnable.size) return;
      const now = Date.now();
      const candidates = [...this.runnable.keys()].filter(
        (id) => !this.held.has(id) && (this.cooldown.get(id) ?? 0) <= now,
      );
      if (!candidates.length) return;
      const free = await this.leases.unheld(shuffle(candidates));
      if (!free.length) return;
      const started = Date.now();
      const acquired = await this.leases.acquire(free, room);
      await Promise.all(acquired.map((lease) => this.takeLease(lease, started)));
    } catch (e) {
      this.warn('acquire', e);
    } finally {
      this.busy.acquire = false;
    }
  }

  private async takeLease(lease: Lease, acquiredAt: number): Promise<void> {
    if (lease.takeover) botLeaseTakeovers.inc();
    await this.ops.run(lease.botId, () => this.startHeld(lease, acquiredAt));
  }

  private async renewTick(): Promise<void> {
    if (this.busy.renew || this.stopping) return;
    this.busy.renew = true;
    const started = Date.now();
    try {
      this.liveWorkers = await this.leases.heartbeat();
      const mine = [...this.held.values()];
      const lost = await this.leases.renew(mine.map((h) => h.lease));
      this.lastRenewAt = started;
      for (const l of lost) {
        if (this.held.get(l.botId)?.lease.value !== l.value) continue;
        botLeaseLost.inc({ reason: 'expired' });
        this.logger.warn(`lease of bot ${l.botId} lost, stopping it`);
        void this.ops.run(l.botId, () =>
          this.stopHeld(l.botId, { release: false, confirm: false, removeWebhook: false }),
        );
      }
    } catch (e) {
      this.warn('lease renewal', e);
      // Cut off from Redis: once our leases may have expired, someone else may poll; stop everything.
      for (const [botId, h] of this.held) {
        if (this.leaseValid(h)) continue;
        botLeaseLost.inc({ reason: 'renew_failed' });
        void this.ops.run(botId, () => this.stopHeld(botId, { release: false, confirm: false, removeWebhook: false }));
      }
    } finally {
      this.busy.renew = false;
    }
  }

  private leaseValid(h: Held): boolean {
    return (
      this.held.get(h.lease.botId) === h && Date.now() < Math.max(this.lastRenewAt, h.acquiredAt) + this.validityMs
    );
  }

  // ---- running a held bot --------------------------------------------------------------------------

  private async startHeld(lease: Lease, acquiredAt: number): Promise<void> {
    const row = this.runnable.get(lease.botId);
    if (!row || this.stopping) {
      await this.leases.release([lease]);
      return;
    }
    this.logger.debug(`bot ${lease.botId}: lease ${lease.value} taken${lease.takeover ? ' over' : ''}, starting`);
    const held: Held = { lease, acquiredAt, row };
    this.held.set(lease.botId, held);
    botsRunning.set(this.held.size);
    const runtime = await this.runtimeFor(lease.botId, row);
    if (!runtime) {
      await this.stopHeld(lease.botId, { release: true, confirm: false, removeWebhook: false });
      this.cooldown.set(lease.botId, Date.now() + 60_000);
      return;
    }
    const telegram = runtime.bot.telegraf.telegram;
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
      // 401 is handled by the client's hook; anything else: let the poller (or the next holder) try again.
      this.warn(`starting bot ${row.id}`, e);
      if (this.config.BOT_MODE === 'webhook') return;
    }
    if (this.held.get(lease.botId) !== held) return;
    const poller = new BotPoller(runtime.bot, this.handler, {
      timeoutS: this.config.BOT_POLL_TIMEOUT_S,
      leaseValid: () => this.leaseValid(held),
      onConflict: () => this.onConflict(lease.botId, held),
    });
    held.poller = poller;
    poller.start();
  }

  private async stopHeld(
    botId: string,
    opts: { release: boolean; confirm: boolean; removeWebhook: boolean },
  ): Promise<void> {
    const held = this.held.get(botId);
    if (!held) return;
    this.logger.debug(`bot ${botId}: stopping (release ${opts.release})`);
    this.held.delete(botId);
    botsRunning.set(this.held.size);
    await held.poller?.stop(STOP_GRACE_MS, opts.confirm);
    if (opts.removeWebhook && this.config.BOT_MODE === 'webhook') {
      await this.runtimes
        .get(botId)
        ?.bot.telegraf.telegram.deleteWebhook({ drop_pending_updates: false })
        .catch(() => undefined);
    }
    if (opts.release) {
      await this.leases.release([held.lease]).catch((e: unknown) => this.warn(`release of bot ${botId}`, e));
      botLeaseReleased.inc();
    }
  }

  /** 409: another getUpdates (or a webhook) is live for this token. Give the lease up and stay away a while. */
  private onConflict(botId: string, held: Held): void {
    telegramApiTrouble.inc({ kind: '409' });
    botLeaseLost.inc({ reason: 'conflict' });
    this.logger.warn(`bot ${botId}: Telegram says another poller is active (409); giving up the lease`);
    this.cooldown.set(botId, Date.now() + 2 * this.config.BOT_LEASE_TTL_MS);
    void this.ops.run(botId, async () => {
      if (this.held.get(botId) === held)
        await this.stopHeld(botId, { release: true, confirm: false, removeWebhook: false });
    });
  }

  /** 401 (RELIABILITY.md 11): stop the bot everywhere, mark it token_invalid, tell the owner once. */
  private onUnauthorized(botId: string, tokenHash: string): void {
    telegramApiTrouble.inc({ kind: '401' });
    if (this.invalidating.has(botId)) return;
    this.invalidating.add(botId);
    void this.ops
      .run(botId, async () => {
        const row = this.runnable.get(botId) ?? (await this.repo.get(botId));
        if (this.runtimes.get(botId)?.tokenHash === tokenHash) this.dropRuntime(botId);
        if (this.held.get(botId)?.row.tokenHash === tokenHash) {
          await this.stopHeld(botId, { release: true, confirm: false, removeWebhook: false });
        }
        const changed = await this.repo.markTokenInvalid(botId, tokenHash);
        if (this.runnable.get(botId)?.tokenHash === tokenHash) this.runnable.delete(botId);
        if (!changed) return;
        this.logger.warn(`bot ${botId}: Telegram rejected the token (401); marked token_invalid`);
        await publishBotEvent(this.redis, this.config.REDIS_PREFIX, botId, 'token_invalid').catch(() => undefined);
        if (row)
          await this.notifier.tokenInvalid(row).catch((e: unknown) => this.warn(`telling the owner of ${botId}`, e));
      })
      .catch((e: unknown) => this.warn(`token_invalid of bot ${botId}`, e))
      .finally(() => this.invalidating.delete(botId));
  }

  // ---- runtimes ------------------------------------------------------------------------------------

  /** The bot's Telegraf instance in this process, created on first need; null when the bot must not run. */
  private async runtimeFor(botId: string, known?: HostedBotRow): Promise<Runtime | null> {
    const existing = this.runtimes.get(botId);
    if (existing && (!known || known.tokenHash === existing.tokenHash)) return existing;
    let pending = this.creating.get(botId);
    if (!pending) {
      pending = this.createRuntime(botId, known).finally(() => this.creating.delete(botId));
      this.creating.set(botId, pending);
    }
    return pending;
  }

  private async createRuntime(botId: string, known?: HostedBotRow): Promise<Runtime | null> {
    const row = known ?? this.runnable.get(botId) ?? (await this.repo.get(botId));
    if (!row || row.status !== 'active') return null;
    let token: string;
    try {
      token = this.box.decrypt(row.tokenCiphertext, row.id);
    } catch (e) {
      this.warn(`decrypting the token of bot ${row.id}`, e);
      return null;
    }
    const bot = this.factory.create(
      token,
      { botId: row.id, telegramBotId: row.telegramBotId, username: row.telegramUsername, name: row.name },
      {
        onUnauthorized: () => this.onUnauthorized(row.id, row.tokenHash),
        onRateLimited: () => telegramApiTrouble.inc({ kind: '429' }),
        onRetry: (_m, kind) => telegramApiTrouble.inc({ kind }),
      },
    );
    const runtime: Runtime = { bot, tokenHash: row.tokenHash };
    this.runtimes.set(row.id, runtime);
    return runtime;
  }

  private dropRuntime(botId: string): void {
    this.runtimes.delete(botId);
    this.profiles.invalidate(botId);
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private every(ms: number, fn: () => Promise<void>): void {
    const t = setInterval(() => void fn(), ms);
    t.unref();
    this.timers.push(t);
  }

  private warn(what: string, err: unknown): void {
    const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.logger.warn(`${what} failed: ${scrubSecrets(text)}`);
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
