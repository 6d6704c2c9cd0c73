import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import Redis from 'ioredis';
import { describeError, REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { OperatorConsoleQueries } from '@botfleet/platform';
import { createPanelAdapter } from '@botfleet/provisioning';
import { PanelsRegistryService } from '../panels/panels-registry.service';
import {
  EVENT_ALERT_MEMORY_S,
  episodeOf,
  OPERATOR_ALERT_SENDER,
  OperatorAlert,
  OperatorAlertKind,
  OperatorAlertSender,
  STATE_ALERT_KINDS,
} from './operator-alert';

/** A panel that has not answered its health check in this long is down (one slow panel must not stall the round). */
const HEALTH_TIMEOUT_MS = 5_000;

/** Failed provisioning is looked for this far back (the hook reports it at once; the scan is the backstop). */
const FAILED_LOOKBACK_MS = 24 * 3600 * 1000;

export interface ScanSummary {
  sent: number;
  walletLow: number;
  panelsDown: number;
  failedProvisioning: number;
  tokensRevoked: number;
}

/**
 * Alerts to the operator (MASTER_ADMIN_TELEGRAM_IDS, through the master bot), each once per episode of its
 * condition however many workers see it. An episode is a Redis hash per subject; `HSETNX` on the admin's id
 * is the once-claim (atomic across workers), given back when the send fails so the next scan tries again.
 * A condition that clears (a wallet topped up, a panel healthy again) deletes its hash: the next time is a
 * new episode. One-off events (a provisioning failure, a revoked token) are remembered for two weeks.
 * Provided by the module that binds OPERATOR_ALERT_SENDER (the worker's operator-alerts module).
 */
@Injectable()
export class OperatorAlertsService {
  private readonly logger = new Logger(OperatorAlertsService.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
    private readonly queries: OperatorConsoleQueries,
    private readonly panels: PanelsRegistryService,
    @Optional() @Inject(OPERATOR_ALERT_SENDER) private readonly sender?: OperatorAlertSender,
  ) {}

  private key(kind: OperatorAlertKind, subject: string): string {
    return `${this.config.REDIS_PREFIX}:operator-alerts:${kind}:${subject}`;
  }

  private openSet(kind: OperatorAlertKind): string {
    return `${this.config.REDIS_PREFIX}:operator-alerts:open:${kind}`;
  }

  /** Sends `alert` to every master admin who has not had it in this episode; the number of messages sent. */
  async raise(alert: OperatorAlert): Promise<number> {
    const admins = this.config.masterAdminTelegramIds;
    if (!this.sender || !admins.length) return 0;
    const subject = episodeOf(alert);
    const key = this.key(alert.kind, subject);
    const stateful = STATE_ALERT_KINDS.includes(alert.kind);
    if (stateful) await this.redis.sadd(this.openSet(alert.kind), subject);
    let sent = 0;
    for (const admin of admins) {
      const won = await this.redis.hsetnx(key, String(admin), String(Date.now()));
      if (!stateful) await this.redis.expire(key, EVENT_ALERT_MEMORY_S);
      if (!won) continue;
      try {
        await this.sender.send(admin, alert);
        sent++;
      } catch (err) {
        await this.redis.hdel(key, String(admin)).catch(() => undefined);
        this.logger.warn(`operator alert ${alert.kind} to ${admin} failed: ${describeError(err)}`);
      }
    }
    return sent;
  }

  /** Ends the episode of a state condition: the next time it is seen, it is alerted again. */
  async clear(kind: OperatorAlertKind, subject: string): Promise<void> {
    await this.redis.multi().del(this.key(kind, subject)).srem(this.openSet(kind), subject).exec();
  }

  /** Ends every open episode of `kind` whose subject is not in `current`. */
  private async clearAllBut(kind: OperatorAlertKind, current: Set<string>): Promise<void> {
    const open = await this.redis.smembers(this.openSet(kind));
    for (const subject of open) if (!current.has(subject)) await this.clear(kind, subject);
  }

  /** The final-failure hook of a provisioning job: the operator hears of it at once (the scan is the backstop). */
  async provisioningFailed(botId: string, subscriptionId: string): Promise<number> {
    const card = await this.queries.tenantCard(botId);
    return this.raise({
      kind: 'provisioning_failed',
      botId,
      botUsername: card?.telegramUsername ?? botId,
      subscriptionId,
    });
  }

  /**
   * The final-failure hook of a switch-off (DisableSubscription): a refunded order's take-back (`orderId`) or a
   * switch-off by hand that gave up. Once per order (or subscription); the sale sweep retries the take-back.
   */
  async switchOffFailed(botId: string, subscriptionId: string, orderId: string | null): Promise<number> {
    const card = await this.queries.tenantCard(botId);
    return this.raise({
      kind: 'switch_off_failed',
      botId,
      botUsername: card?.telegramUsername ?? botId,
      subscriptionId,
      orderId,
    });
  }

  /** TokenRevocation marked a bot token_invalid: the operator hears of it at once (the scan is the backstop). */
  async tokenRevoked(botId: string, tokenHash: string): Promise<number> {
    const card = await this.queries.tenantCard(botId);
    if (!card) return 0; // the master bot itself, or gone
    return this.raise({ kind: 'token_revoked', botId, botUsername: card.telegramUsername, tokenHash });
  }

  /** One round: every condition looked at; alerts go out for new episodes, cleared ones end. */
  async scan(now = new Date()): Promise<ScanSummary> {
    const summary: ScanSummary = { sent: 0, walletLow: 0, panelsDown: 0, failedProvisioning: 0, tokensRevoked: 0 };
    const threshold = this.config.OPERATOR_WALLET_ALERT_MINOR;
    const low = threshold > 0 ? await this.queries.lowWallets(threshold) : [];
    summary.walletLow = low.length;
    for (const w of low) {
      summary.sent += await this.raise({
        kind: 'wallet_low',
        botId: w.id,
        botUsername: w.telegramUsername,
        freeMinor: w.freeMinor,
        currency: w.currency,
        thresholdMinor: threshold,
      });
    }
    await this.clearAllBut('wallet_low', new Set(low.map((w) => w.id)));

    const down = await this.checkPanels();
    summary.panelsDown = down.length;
    for (const alert of down) summary.sent += await this.raise(alert);
    await this.clearAllBut('panel_down', new Set(down.map((a) => a.panelId)));

    const failed = await this.queries.failedSubscriptions(new Date(now.getTime() - FAILED_LOOKBACK_MS));
    summary.failedProvisioning = failed.length;
    for (const f of failed) {
      summary.sent += await this.raise({
        kind: 'provisioning_failed',
        botId: f.botId,
        botUsername: f.botUsername,
        subscriptionId: f.id,
      });
    }

    const revoked = await this.queries.tokenInvalidBots();
    summary.tokensRevoked = revoked.length;
    for (const r of revoked) {
      summary.sent += await this.raise({
        kind: 'token_revoked',
        botId: r.id,
        botUsername: r.telegramUsername,
        tokenHash: r.tokenHash,
      });
    }
    return summary;
  }

  /** Health-checks every active (not paused) panel, records the result, and returns the ones that are down. */
  private async checkPanels(): Promise<Extract<OperatorAlert, { kind: 'panel_down' }>[]> {
    const down: Extract<OperatorAlert, { kind: 'panel_down' }>[] = [];
    for (const panel of await this.panels.list()) {
      if (!panel.isActive) continue;
      let ok = false;
      let reason = 'unreachable';
      try {
        const adapter = createPanelAdapter(await this.panels.config(panel.id), { timeoutMs: HEALTH_TIMEOUT_MS });
        const health = await adapter.healthCheck();
        ok = health.ok;
        if (!health.ok) reason = health.code;
      } catch (err) {
        reason = codeOf(err);
      }
      await this.queries.recordPanelHealth(panel.id, ok);
      if (!ok) down.push({ kind: 'panel_down', panelId: panel.id, panelName: panel.name, reason });
    }
    return down;
  }
}

/** A short, secret-free word for why a health check could not even run. */
function codeOf(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code) ? code : 'unreachable';
}
