import { Injectable, Logger } from '@nestjs/common';
import { describeError } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { BroadcastRunsService } from '@botfleet/broadcasts';
import { JobName, JobQueue, jobIdFor, OnJob, QueueName } from '@botfleet/jobs';
import { StalledBroadcasts } from '@botfleet/platform';

/** Broadcasts looked at per run; the next run goes on. */
const BATCH = 500;
/** A job in one of these states still carries its broadcast. */
const ALIVE = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

/**
 * The periodic `SweepBroadcasts` job (every BROADCAST_LOCK_MS): a running broadcast that has not moved for
 * longer than a job lock and whose current chunk job (`broadcasts.chunk`) is not in the queue any more — its
 * worker died and the job is gone, Redis was flushed or failed over — gets its chain moved on and the next chunk
 * queued under a fresh deterministic job id. Safe beside a run that still lives: deliveries are leased and
 * marked one by one, so two runs never send a user twice, and only one of them moves the chain on.
 */
@Injectable()
export class BroadcastSweepHandler {
  private readonly logger = new Logger(BroadcastSweepHandler.name);

  constructor(
    private readonly stalled: StalledBroadcasts,
    private readonly runs: BroadcastRunsService,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  @OnJob({ name: JobName.SweepBroadcasts })
  async sweep(): Promise<{ resumed: number }> {
    const queue = this.jobs.queue(QueueName.Broadcasts);
    let resumed = 0;
    for (const s of await this.stalled.find(this.config.BROADCAST_LOCK_MS, BATCH)) {
      try {
        const state = await queue.getJobState(jobIdFor(JobName.SendBroadcast, [s.broadcastId, s.chunk]));
        if (ALIVE.has(state)) continue;
        if (!(await this.runs.advance(s.botId, s.broadcastId, s.chunk))) continue;
        await this.runs.queueChunk(s.botId, s.broadcastId, s.chunk + 1);
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
