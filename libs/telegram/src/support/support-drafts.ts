import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { TenantDb } from '@botfleet/dal';

/** Where a customer is in writing to support: typing a new ticket's subject, its message, or a follow-up. */
export type SupportDraft =
  { step: 'subject' } | { step: 'message'; subject: string } | { step: 'followup'; ticketId: string };

/** A message the customer sent while a ticket was open, waiting for "Add to ticket #N". */
export interface PendingMessage {
  text: string;
  photoFileId: string | null;
}

const TTL_S = 15 * 60;

/**
 * The short-lived state of the support conversation, in Redis per (bot, Telegram user), forgotten after 15
 * minutes. Changes are made after the update's transaction commits: an update that rolls back and is handled
 * again finds the state it started from (the subject is not taken for the message).
 */
@Injectable()
export class SupportDrafts {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
    private readonly db: TenantDb,
  ) {}

  private key(kind: 'draft' | 'pending', botId: string, telegramId: number, messageId?: number): string {
    const base = `${this.config.REDIS_PREFIX}:support:${kind}:${botId}:${telegramId}`;
    return messageId === undefined ? base : `${base}:${messageId}`;
  }

  async draft(botId: string, telegramId: number): Promise<SupportDraft | null> {
    return this.read<SupportDraft>(this.key('draft', botId, telegramId));
  }

  /** The message offered under the customer's message `messageId` (each offer adds its own message). */
  async pending(botId: string, telegramId: number, messageId: number): Promise<PendingMessage | null> {
    return this.read<PendingMessage>(this.key('pending', botId, telegramId, messageId));
  }

  setDraft(botId: string, telegramId: number, draft: SupportDraft): void {
    const key = this.key('draft', botId, telegramId);
    this.afterCommit(() => this.redis.set(key, JSON.stringify(draft), 'EX', TTL_S));
  }

  setPending(botId: string, telegramId: number, messageId: number, msg: PendingMessage): void {
    const key = this.key('pending', botId, telegramId, messageId);
    this.afterCommit(() => this.redis.set(key, JSON.stringify(msg), 'EX', TTL_S));
  }

  /** Ends the draft being written (offers already made stay until used or forgotten). */
  clear(botId: string, telegramId: number): void {
    const key = this.key('draft', botId, telegramId);
    this.afterCommit(() => this.redis.del(key));
  }

  /** An offer used: its message is not added twice. */
  clearPending(botId: string, telegramId: number, messageId: number): void {
    const key = this.key('pending', botId, telegramId, messageId);
    this.afterCommit(() => this.redis.del(key));
  }

  private async read<T>(key: string): Promise<T | null> {
    const raw = await this.redis.get(key);
    if (!raw) return null;
    try {
      return JSON.parse(raw) as T;
    } catch {
      return null;
    }
  }

  private afterCommit(fn: () => Promise<unknown>): void {
    const tx = this.db.current();
    const run = async () => {
      await fn();
    };
    if (tx) tx.afterCommit(run);
    else void run().catch(() => undefined);
  }
}
