import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { Language } from '@botfleet/catalog';
import { REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { ConversationStore } from '../context/conversation-store';
import type { ShopTextKind } from './admin-callbacks';

/** What the admin's next text message is for, after they pressed a button that asks for one. */
export type AdminAwaiting =
  | { step: 'lookup' }
  | { step: 'adjust'; userId: string }
  | { step: 'price'; planId: string }
  | { step: 'text'; text: ShopTextKind; lang: Language }
  | { step: 'broadcast' }
  /** The answer to a ticket (a text, as the API's answer). */
  | { step: 'ticketAnswer'; ticketId: string };

/** A typed step waiting for its Confirm / Save button (the button carries the draft's key). */
export type AdminDraft =
  | { kind: 'adjust'; userId: string; amountMinor: number; reason: string }
  | { kind: 'text'; text: ShopTextKind; lang: Language; value: string }
  /** A broadcast's message (HTML; a photo's Telegram file_id) waiting for its audience. */
  | { kind: 'broadcast'; text: string; photo: string | null };

const AWAIT_TTL_S = 15 * 60;
const DRAFT_TTL_S = 30 * 60;

/**
 * The short-lived state of an admin's conversation, in Redis per (bot, admin): the step waiting for a typed
 * value, and drafts waiting for their confirm button. A draft is read by its random key and only by the admin
 * who made it; it is kept (not deleted) after use, so a second tap of the same Confirm finds the same draft
 * and the use case's idempotency key makes it a no-op. Nothing here is authority: every action checks the
 * role in the domain and looks the ids up in this bot.
 */
@Injectable()
export class AdminState {
  private readonly store: ConversationStore;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    config: AppConfig,
  ) {
    this.store = new ConversationStore(redis, `${config.REDIS_PREFIX}:tenant-admin`);
  }

  private key(what: string, botId: string, telegramId: number): string {
    return this.store.key(what, botId, telegramId);
  }

  async awaiting(botId: string, telegramId: number): Promise<AdminAwaiting | null> {
    return this.store.read<AdminAwaiting>(this.key('await', botId, telegramId));
  }

  async expect(botId: string, telegramId: number, awaiting: AdminAwaiting): Promise<void> {
    await this.store.write(this.key('await', botId, telegramId), awaiting, AWAIT_TTL_S);
  }

  async clear(botId: string, telegramId: number): Promise<void> {
    await this.store.remove(this.key('await', botId, telegramId));
  }

  /** The admin's last customer search, for its other pages. */
  async rememberQuery(botId: string, telegramId: number, query: string): Promise<void> {
    await this.redis.set(this.key('query', botId, telegramId), query, 'EX', DRAFT_TTL_S);
  }

  lastQuery(botId: string, telegramId: number): Promise<string | null> {
    return this.redis.get(this.key('query', botId, telegramId));
  }

  /** Stores a draft; returns its key for the confirm button. */
  async putDraft(botId: string, telegramId: number, draft: AdminDraft): Promise<string> {
    const id = randomBytes(12).toString('base64url');
    await this.store.write(this.key(`draft:${id}`, botId, telegramId), draft, DRAFT_TTL_S);
    return id;
  }

  async draft(botId: string, telegramId: number, id: string): Promise<AdminDraft | null> {
    return this.store.read<AdminDraft>(this.key(`draft:${id}`, botId, telegramId));
  }
}
