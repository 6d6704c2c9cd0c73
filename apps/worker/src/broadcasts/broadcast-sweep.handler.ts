import { Injectable, Logger } from '@nestjs/common';
import { describeError } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { BroadcastRunsService } from '@botfleet/broadcasts';
import { JobName, OnJob } from '@botfleet/jobs';
import { StalledBroadcasts } from '@botfleet/platform';

/** Broadcasts looked at per run; the next run goes on. */
const BATCH = 500;

/**
 * The periodic `SweepBroadcasts` job (every BROADCAST_LOCK_MS): the running broadcasts of every bot that have not
 * moved for longer than a job lock (a cross-tenant read) are each handed to the rule that re-queues a lost job
 * chain (`BroadcastRunsService.resumeIfLost`).
 */
@Injectable()
export class BroadcastSweepHandler {
  private readonly logger = new Logger(BroadcastSweepHandler.name);

  constructor(
    private readonly stalled: StalledBroadcasts,
    private readonly runs: BroadcastRunsService,
    private readonly config: AppConfig,
  ) {}

  @OnJob({ name: JobName.SweepBroadcasts })
  async sweep(): Promise<{ resumed: number }> {
    let resumed = 0;
    for (const s of await this.stalled.find(this.config.BROADCAST_LOCK_MS, BATCH)) {
      try {
        const state = await this.runs.resumeIfLost(s.botId, s.broadcastId, s.chunk);
        if (state === null) continue;
        resumed += 1;
        this.logger.warn(
          { botId: s.botId, broadcastId: s.broadcastId, chunk: s.chunk, state },
          'broadcast job chain lost: re-queued',
        );
      } catch (err) {
        this.logger.warn(`could not sweep broadcast ${s.broadcastId} of bot ${s.botId}: ${describeError(err)}`);
      }
    }
    return { resumed };
  }
}
