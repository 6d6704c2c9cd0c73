import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { DomainError, ErrorCode, isUuid, REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { JobName, jobIdFor, JobQueue } from '@botfleet/jobs';
import { constantTimeEqual, TokenHasher } from '@botfleet/secrets';
import { webhookSecretFor } from '@botfleet/bot-api';
import { ChatOrder } from '@botfleet/bot-api';
import { BotAccessCache } from '../auth';

/** Redis unreachable: answer 503 (Telegram retries) rather than keep Telegram's connection hanging. */
const QUEUE_TIMEOUT_MS = 5_000;

interface WebhookTarget {
  status: string;
  secret: string;
  telegramBotId: number;
}

/**
 * Receives Telegram updates in webhook mode (RELIABILITY.md 6, 10): the bot must exist, the secret header
 * must match the bot's derived secret (constant-time compare), and the update is queued durably in BullMQ
 * — job id from bot id, the Telegram bot it speaks for and update_id, so a redelivery adds nothing — before
 * the caller answers 200.
 */
@Injectable()
export class TelegramWebhookService {
  /** Derived secrets by bot id and salt (an HMAC per request is avoidable work on the hot path, B8). */
  private readonly secrets = new Map<string, string>();
  private readonly order: ChatOrder;

  constructor(
    private readonly bots: BotAccessCache,
    private readonly hasher: TokenHasher,
    private readonly jobs: JobQueue,
    @Inject(REDIS) redis: Redis,
    config: AppConfig,
  ) {
    this.order = new ChatOrder(redis, config.REDIS_PREFIX);
  }

  async accept(botId: string, secret: string | undefined, body: unknown): Promise<void> {
    const target = isUuid(botId) ? await this.target(botId) : null;
    if (!target || target.status === 'deleted') throw new DomainError(ErrorCode.NOT_FOUND, 'Unknown bot');
    if (!secret) throw new DomainError(ErrorCode.UNAUTHORIZED, 'Missing X-Telegram-Bot-Api-Secret-Token');
    if (!constantTimeEqual(secret, target.secret)) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'Wrong X-Telegram-Bot-Api-Secret-Token');
    }
    const update = parseUpdate(body);
    if (target.status !== 'active') {
      // Paused or suspended: Telegram keeps the update and tries again; the worker removes the webhook.
      throw new DomainError(ErrorCode.DEPENDENCY_DOWN, 'This bot is not running');
    }
    // The chat's order mark first: a worker then never runs this update before an earlier one of its chat.
    const queued = this.order.pending(botId, update).then(() =>
      this.jobs.add(
        JobName.HandleTelegramUpdate,
        { botId, updateId: update.update_id, update },
        // Update ids are numbered per Telegram bot: a bot moved to another one must not find the old one's ids.
        { jobId: jobIdFor(JobName.HandleTelegramUpdate, [botId, target.telegramBotId, update.update_id]) },
      ),
    );
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        queued,
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new DomainError(ErrorCode.DEPENDENCY_DOWN, 'The update queue is unavailable')),
            QUEUE_TIMEOUT_MS,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The bot's status and webhook secret; status and salt come from the bot access cache (dropped on change). */
  private async target(botId: string): Promise<WebhookTarget | null> {
    const info = await this.bots.webhookInfo(botId);
    if (!info) return null;
    const key = `${botId}:${info.webhookSecretSalt}`;
    let secret = this.secrets.get(key);
    if (!secret) {
      secret = webhookSecretFor(this.hasher, botId, info.webhookSecretSalt);
      if (this.secrets.size > 50_000) this.secrets.clear();
      this.secrets.set(key, secret);
    }
    return { status: info.status, secret, telegramBotId: info.telegramBotId };
  }
}

/** The update as Telegram sent it; only its shape is checked (an object with a non-negative integer update_id). */
function parseUpdate(body: unknown): Record<string, unknown> & { update_id: number } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'The body must be a Telegram update', [
      { field: 'body', errors: ['must be an object'] },
    ]);
  }
  const id = (body as { update_id?: unknown }).update_id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'The body must be a Telegram update', [
      { field: 'update_id', errors: ['must be a non-negative integer'] },
    ]);
  }
  return body as Record<string, unknown> & { update_id: number };
}
