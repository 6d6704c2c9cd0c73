import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { ProcessedUpdatesStore } from '@botfleet/platform';

const EVERY_MS = 60 * 60 * 1000;
const FIRST_AFTER_MS = 60 * 1000;
const BATCH = 5_000;

/**
 * Forgets processed updates older than 48 hours (DATA.md): Telegram keeps an update at most 24 hours,
 * so no older one can come back. Hourly, by one worker at a time (a Redis lock), in small batches so no
 * long lock is held on the table.
 */
@Injectable()
export class ProcessedUpdatesPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ProcessedUpdatesPruner.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: ProcessedUpdatesStore,
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => void this.prune().catch((e: unknown) => this.logger.warn(`pruning failed: ${String(e)}`));
    this.timer = setTimeout(() => {
      run();
      this.timer = setInterval(run, EVERY_MS);
      this.timer.unref();
    }, FIRST_AFTER_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
  }

  /** Deletes rows older than `olderThanHours`; returns how many. Skips when another worker pruned this hour. */
  async prune(olderThanHours = 48, force = false): Promise<number> {
    const lock = `${this.config.REDIS_PREFIX}:prune-processed-updates`;
    if (!force && !(await this.redis.set(lock, '1', 'PX', EVERY_MS - 60_000, 'NX'))) return 0;
    let total = 0;
    for (;;) {
      const deleted = await this.store.deleteOlderThan(olderThanHours, BATCH);
      total += deleted;
      if (deleted < BATCH) break;
    }
    if (total) this.logger.log(`pruned ${total} processed updates`);
    return total;
  }
}
