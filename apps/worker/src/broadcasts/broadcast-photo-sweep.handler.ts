import { Injectable, Logger } from '@nestjs/common';
import { describeError } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { BroadcastRunsService } from '@botfleet/broadcasts';
import { JobName, OnJob } from '@botfleet/jobs';
import { AbandonedBroadcastPhotos } from '@botfleet/platform';

/** Broadcasts looked at per run; the next run goes on. */
const BATCH = 200;

/**
 * The hourly `SweepBroadcastPhotos` job: uploaded picture bytes (up to 5 MB each, kept on the draft until its
 * preview takes them to Telegram) of drafts untouched for BROADCAST_PHOTO_UPLOAD_MAX_AGE_MS, and of broadcasts that
 * have their file_id already, are found across every bot (a cross-tenant read) and dropped in each bot's own
 * tenant (`BroadcastRunsService.dropAbandonedPhoto`, which checks the row again).
 */
@Injectable()
export class BroadcastPhotoSweepHandler {
  private readonly logger = new Logger(BroadcastPhotoSweepHandler.name);

  constructor(
    private readonly abandoned: AbandonedBroadcastPhotos,
    private readonly runs: BroadcastRunsService,
    private readonly config: AppConfig,
  ) {}

  @OnJob({ name: JobName.SweepBroadcastPhotos })
  async sweep(): Promise<{ dropped: number }> {
    const maxAgeMs = this.config.BROADCAST_PHOTO_UPLOAD_MAX_AGE_MS;
    let dropped = 0;
    for (const a of await this.abandoned.find(maxAgeMs, BATCH)) {
      try {
        if (await this.runs.dropAbandonedPhoto(a.botId, a.broadcastId, maxAgeMs)) dropped += 1;
      } catch (err) {
        this.logger.warn(
          `could not drop the picture of broadcast ${a.broadcastId} of bot ${a.botId}: ${describeError(err)}`,
        );
      }
    }
    if (dropped > 0) this.logger.log({ dropped }, 'uploaded broadcast pictures nobody will send dropped');
    return { dropped };
  }
}
