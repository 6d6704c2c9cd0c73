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
 * tenant (`BroadcastRunsService.dropAbandonedPhoto`, which checks the row again). Then drafts that have waited that
 * long for a picture that never came (saved with photoUploadFollows, or left without one by this sweep an age ago)
 * are ended `failed`, saying so (`BroadcastRunsService.endPhotoNeverCame`, conditional on the draft still waiting):
 * nothing else would ever end them.
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
  async sweep(): Promise<{ dropped: number; ended: number }> {
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
    let ended = 0;
    for (const a of await this.abandoned.awaitingTooLong(maxAgeMs, BATCH)) {
      try {
        if (await this.runs.endPhotoNeverCame(a.botId, a.broadcastId, maxAgeMs)) ended += 1;
      } catch (err) {
        this.logger.warn(`could not end broadcast draft ${a.broadcastId} of bot ${a.botId}: ${describeError(err)}`);
      }
    }
    if (ended > 0) this.logger.log({ ended }, 'broadcast drafts whose picture never came ended');
    return { dropped, ended };
  }
}
