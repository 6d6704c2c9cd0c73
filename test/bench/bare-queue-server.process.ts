import { Queue } from 'bullmq';
import { createServer } from 'node:http';
import { DEFAULT_JOB_OPTIONS, jobIdFor, JobName, QueueName } from '@botfleet/jobs';

/**
 * Baseline of B8: a bare Node HTTP server that takes POST /telegram/webhook/{botId}, parses the update and adds the
 * same BullMQ job as the API (same queue, prefix, name, payload, job id and options) before answering 200 — no
 * secret check, no bot lookup, no chat-order mark, no framework. Configured by environment: REDIS_URL,
 * REDIS_PREFIX, PORT, TELEGRAM_BOT_IDS (JSON { botId: telegramBotId }). Prints "ready" once listening.
 */
async function main(): Promise<void> {
  const telegramIds = JSON.parse(process.env.TELEGRAM_BOT_IDS ?? '{}') as Record<string, number>;
  const queue = new Queue(QueueName.TelegramUpdates, {
    connection: { url: process.env.REDIS_URL, maxRetriesPerRequest: null, enableReadyCheck: true },
    prefix: `${process.env.REDIS_PREFIX}:q`,
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
  });
  await queue.waitUntilReady();
  const server = createServer((req, res) => {
    const botId = /^\/telegram\/webhook\/([0-9a-f-]{36})$/.exec(req.url ?? '')?.[1];
    if (req.method !== 'POST' || !botId) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const update = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> & {
        update_id: number;
      };
      queue
        .add(
          JobName.HandleTelegramUpdate,
          { botId, updateId: update.update_id, update },
          { jobId: jobIdFor(JobName.HandleTelegramUpdate, [botId, telegramIds[botId], update.update_id]) },
        )
        .then(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'))
        .catch(() => res.writeHead(503).end());
    });
  });
  server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
  process.once('SIGTERM', () => {
    server.close();
    void queue.close().finally(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
