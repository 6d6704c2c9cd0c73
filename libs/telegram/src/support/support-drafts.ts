import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { TenantDb } from '@botfleet/dal';
import { ConversationStore } from '../context/conversation-store';

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
  private readonly store: ConversationStore;

  constructor(
    @Inject(REDIS) redis: Redis,
    config: AppConfig,
    private readonly db: TenantDb,
  ) {
    this.store = new ConversationStore(redis, `${config.REDIS_PREFIX}:support`);
  }

  private key(kind: 'draft' | 'pending', botId: string, telegramId: number, messageId?: number): string {
    return messageId === undefined
      ? this.store.key(kind, botId, telegramId)
      : this.store.key(kind, botId, telegramId, messageId);
  }

  async draft(botId: string, telegramId: number): Promise<SupportDraft | null> {
    return this.store.read<SupportDraft>(this.key('draft', botId, telegramId));
  }

  /** The message offered under the customer's message `messageId` (each offer adds its own message). */
  async pending(botId: string, telegramId: number, messageId: number): Promise<PendingMessage | null> {
    return this.store.read<PendingMessage>(this.key('pending', botId, telegramId, messageId));
  }

  setDraft(botId: string, telegramId: number, draft: SupportDraft): void {
    const key = this.key('draft', botId, telegramId);
    this.afterCommit(() => this.store.write(key, draft, TTL_S));
  }

  setPending(botId: string, telegramId: number, messageId: number, msg: PendingMessage): void {
    const key = this.key('pending', botId, telegramId, messageId);
    this.afterCommit(() => this.store.write(key, msg, TTL_S));
  }

  /** Ends the draft being written (offers already made stay until used or forgotten). */
  clear(botId: string, telegramId: number): void {
    const key = this.key('draft', botId, telegramId);
    this.afterCommit(() => this.store.remove(key));
  }

  /** An offer used: its message is not added twice. */
  clearPending(botId: string, telegramId: number, messageId: number): void {
    const key = this.key('pending', botId, telegramId, messageId);
    this.afterCommit(() => this.store.remove(key));
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
