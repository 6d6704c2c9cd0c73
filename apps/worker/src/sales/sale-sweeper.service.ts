import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { JobOutboxRelay, SaleSweeps } from '@botfleet/platform';
import { ExpireCardPaymentsUseCase, FulfilmentService } from '@botfleet/sales';

/**
 * The sale's clock, in one worker at a time (a Redis lock per tick): job outbox rows left by a process
 * that died between its commit and queueing are relayed, card payments past their deadline expire (user
 * told, hold released), and paid orders whose provisioning job was lost get it queued again under the
 * same job id.
 */
@Injectable()
export class SaleSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SaleSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly config: AppConfig,
    private readonly sweeps: SaleSweeps,
    private readonly expireCardPayments: ExpireCardPaymentsUseCase,
    private readonly fulfilment: FulfilmentService,
    private readonly relay: JobOutboxRelay,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.SALE_SWEEP_INTERVAL_MS;
    if (every <= 0) return;
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.tick().finally(() => (this.running = undefined));
    }, every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One sweep; returns what it did (for tests). */
  async tick(now = new Date()): Promise<{ relayed: number; expired: number; requeued: number }> {
    const lock = `${this.config.REDIS_PREFIX}:sale-sweep`;
    const ttl = Math.max(5_000, this.config.SALE_SWEEP_INTERVAL_MS);
    if ((await this.redis.set(lock, '1', 'PX', ttl, 'NX')) !== 'OK') return { relayed: 0, expired: 0, requeued: 0 };
    let relayed = 0;
    let expired = 0;
    let requeued = 0;
    try {
      try {
        relayed = await this.relay.relayStale(this.config.OUTBOX_RELAY_AFTER_MS, now);
      } catch (err) {
        this.logger.error({ err }, 'relaying the job outbox failed');
      }
      for (const botId of await this.sweeps.botsWithDuePayments(now)) {
        try {
          expired += (await this.expireCardPayments.execute({ botId, now })).length;
        } catch (err) {
          this.logger.error({ err, botId }, 'expiring card payments failed');
        }
      }
      for (const { botId, orderId } of await this.sweeps.stuckFulfilments(this.config.FULFILMENT_STUCK_AFTER_MS, now)) {
        try {
          await this.fulfilment.enqueue(botId, orderId);
          requeued++;
        } catch (err) {
          this.logger.error({ err, botId }, 're-queueing a fulfilment failed');
        }
      }
    } finally {
      await this.redis.del(lock);
    }
    return { relayed, expired, requeued };
  }
}
