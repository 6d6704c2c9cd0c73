import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { Job, Queue, Worker } from 'bullmq';
import type { Update } from 'telegraf/types';
import { AppConfig } from '@botfleet/config';
import { JobName, JobPayloads, QueueName } from '@botfleet/jobs';
import { BotSupervisor } from './bot-supervisor.service';

type UpdateJob = Job<JobPayloads[JobName.HandleTelegramUpdate], unknown, string>;

/**
 * Webhook mode: the API queued each update (job id from bot id and update_id) before answering Telegram;
 * here any worker takes it and feeds it to the bot's Telegraf instance through the same exactly-once
 * pipeline as polling. A worker killed mid-job leaves the job to BullMQ's stalled-job recovery, and
 * processed_updates keeps the second run from answering twice. Runs in polling mode too (cheap), so
 * updates queued before a switch back to polling are never stranded.
 */
@Injectable()
export class TelegramUpdatesProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TelegramUpdatesProcessor.name);
  private worker?: Worker;

  constructor(
    @InjectQueue(QueueName.TelegramUpdates) private readonly queue: Queue,
    private readonly config: AppConfig,
    private readonly supervisor: BotSupervisor,
  ) {}

  onApplicationBootstrap(): void {
    const worker = new Worker(QueueName.TelegramUpdates, (job: UpdateJob) => this.process(job), {
      connection: this.queue.opts.connection,
      prefix: this.queue.opts.prefix,
      concurrency: this.config.TELEGRAM_UPDATES_CONCURRENCY,
    });
    worker.on('error', (err) => this.logger.warn(`telegram updates worker: ${err.name}: ${err.message}`));
    worker.on('failed', (job, err) =>
      this.logger.warn(`update job ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${err.name}`),
    );
    this.worker = worker;
  }

  /** Stop taking jobs and wait for the running ones (bounded by the app's shutdown deadline). */
  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
  }

  async process(job: UpdateJob): Promise<string> {
    if (job.name !== JobName.HandleTelegramUpdate) throw new Error(`unexpected job ${job.name}`);
    const { botId, update } = job.data;
    return this.supervisor.handleWebhookUpdate(botId, update as unknown as Update);
  }
}
