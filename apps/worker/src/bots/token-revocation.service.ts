import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import Redis from 'ioredis';
import { describeError, REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { publishBotEvent } from '@botfleet/bots';
import { OperatorAlertsService } from '@botfleet/operator';
import { HostedBotsRepository } from '@botfleet/platform';
import { BotRuntimes, RuntimeObserver } from '@botfleet/telegram';
import { telegramApiTrouble } from './bot-metrics';
import { DesiredBots } from './desired-bots.service';
import { HeldBots } from './held-bots.service';
import { OwnerNotifier } from './owner-notifier.service';

/**
 * The worker's reaction to what the bots' clients report (RELIABILITY.md 11). A 401 — met by a poller, an
 * answer, a notification, a delivery or an owner alert, on any runtime of this process — stops the bot
 * here, marks it token_invalid (only while it still has that token, so exactly one worker wins), tells the
 * other workers through a bot event and the owner once. 429 waits and retries are counted.
 */
@Injectable()
export class TokenRevocation implements RuntimeObserver {
  private readonly logger = new Logger(TokenRevocation.name);
  private readonly invalidating = new Set<string>();

  constructor(
    runtimes: BotRuntimes,
    private readonly config: AppConfig,
    private readonly repo: HostedBotsRepository,
    private readonly desired: DesiredBots,
    private readonly held: HeldBots,
    private readonly notifier: OwnerNotifier,
    @Inject(REDIS) private readonly redis: Redis,
    /** Tells the operator too (the worker's OperatorAlertsModule; the periodic scan is the backstop). */
    @Optional() private readonly operatorAlerts?: OperatorAlertsService,
  ) {
    runtimes.observe(this);
  }

  trouble(kind: '429' | 'server' | 'network'): void {
    telegramApiTrouble.inc({ kind });
  }

  tokenRejected(botId: string, tokenHash: string): void {
    telegramApiTrouble.inc({ kind: '401' });
    if (this.invalidating.has(botId)) return;
    this.invalidating.add(botId);
    void this.held
      .serially(botId, () => this.invalidate(botId, tokenHash))
      .catch((e: unknown) => this.logger.warn(`token_invalid of bot ${botId} failed: ${describeError(e)}`))
      .finally(() => this.invalidating.delete(botId));
  }

  private async invalidate(botId: string, tokenHash: string): Promise<void> {
    const row = this.desired.get(botId) ?? (await this.repo.get(botId));
    this.desired.dropRuntime(botId, tokenHash);
    if (this.held.get(botId)?.row.tokenHash === tokenHash) {
      await this.held.stop(botId, { release: true, confirm: false, removeWebhook: false });
    }
    const changed = await this.repo.markTokenInvalid(botId, tokenHash);
    this.desired.forgetToken(botId, tokenHash);
    if (!changed) return;
    this.logger.warn(`bot ${botId}: Telegram rejected the token (401); marked token_invalid`);
    await publishBotEvent(this.redis, this.config.REDIS_PREFIX, botId, 'token_invalid').catch(() => undefined);
    await this.operatorAlerts
      ?.tokenRevoked(botId, tokenHash)
      .catch((e: unknown) => this.logger.warn(`operator alert for ${botId} failed: ${describeError(e)}`));
    if (row) {
      await this.notifier
        .tokenInvalid(row)
        .catch((e: unknown) => this.logger.warn(`telling the owner of ${botId} failed: ${describeError(e)}`));
    }
  }
}
