import { Injectable, Logger } from '@nestjs/common';
import { JobName, OnJob } from '@botfleet/jobs';
import { ProcessedUpdatesStore } from '@botfleet/platform';

const BATCH = 5_000;

/**
 * Forgets processed updates older than 48 hours (DATA.md): Telegram keeps an update at most 24 hours,
 * so no older one can come back. A periodic job (hourly, one run per hour across workers), in small
 * batches so no long lock is held on the table.
 */
@Injectable()
export class ProcessedUpdatesPruner {
  private readonly logger = new Logger(ProcessedUpdatesPruner.name);

  constructor(private readonly store: ProcessedUpdatesStore) {}

  @OnJob({ name: JobName.PruneProcessedUpdates })
  async run(): Promise<number> {
    return this.prune();
  }

  /** Deletes rows older than `olderThanHours`; returns how many. */
  async prune(olderThanHours = 48): Promise<number> {
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
