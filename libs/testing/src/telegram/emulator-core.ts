import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  BotApiError,
  BLOCKED_BY_USER,
  CONFLICT_OTHER_GET_UPDATES,
  CONFLICT_WEBHOOK_ACTIVE,
  badRequest,
  conflict,
  forbidden,
  unauthorized,
} from './bot-api-error';
import type {
  BotCommand,
  BotUser,
  Chat,
  ChatMember,
  Document,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  MessageOrigin,
  PhotoSize,
  ReplyMarkup,
  RefundedPayment,
  SuccessfulPayment,
  Update,
  User,
} from './bot-api-types';
import type {
  BotRef,
  CallbackAnswerRecord,
  CreateBotInput,
  InvoiceRecord,
  LatencyStats,
  PaymentRecord,
  PreCheckoutAnswerRecord,
  RefundRecord,
  StoredMessageView,
  UserInput,
  ChatInput,
} from './control-types';
import { BotRateLimit, FaultState, type FaultConfig } from './faults';
import { FileStore } from './file-store';
import { isRecord } from './params';
import { UpdateQueue, type QueuedUpdate } from './update-queue';

/** Options of the emulator; every field has a default suited to tests and benchmarks. */
export interface TelegramEmulatorOptions {
  /** Messages kept per chat (older ones are forgotten; edits to them fail as "not found"). Default 1,000. */
  historyPerChat?: number;
  /** Updates kept per bot while nobody fetches them; the oldest are dropped beyond. Default 100,000. */
  maxPendingUpdates?: number;
  /** Callback answers, pre-checkout answers, invoices, refunds kept per bot. Default 1,000. */
  maxRecordsPerBot?: number;
  /** Telegram gives a bot 10 s to answer a pre_checkout_query; 0 disables the deadline. Default 10,000. */
  preCheckoutTimeoutMs?: number;
  /**
   * Sending to a chat the emulator has never seen: `create` it (default; a positive id becomes a private
   * chat, a negative one a group) or `reject` as Telegram does for users who never started the bot.
   */
  unknownChats?: 'create' | 'reject';
  /** How long a webhook POST may take before it counts as failed. Default 10,000. */
  webhookTimeoutMs?: number;
  /** Webhook retry backoff: first delay, doubled up to the max. Defaults 100 and 5,000. */
  webhookMinBackoffMs?: number;
  webhookMaxBackoffMs?: number;
  /** Reply latency samples kept (a ring). Default 100,000. */
  latencySamples?: number;
  /** Largest accepted upload. Default 50 MB. */
  maxFileBytes?: number;
  /** Largest accepted JSON or form body. Default 10 MB. */
  maxBodyBytes?: number;
  /** Randomness for `failRatio` faults; injectable for reproducible tests. */
  random?: () => number;
}

export type EmulatorSettings = Required<TelegramEmulatorOptions>;

export function resolveSettings(options: TelegramEmulatorOptions = {}): EmulatorSettings {
  return {
    historyPerChat: options.historyPerChat ?? 1_000,
    maxPendingUpdates: options.maxPendingUpdates ?? 100_000,
    maxRecordsPerBot: options.maxRecordsPerBot ?? 1_000,
    preCheckoutTimeoutMs: options.preCheckoutTimeoutMs ?? 10_000,
    unknownChats: options.unknownChats ?? 'create',
    webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
    webhookMinBackoffMs: options.webhookMinBackoffMs ?? 100,
    webhookMaxBackoffMs: options.webhookMaxBackoffMs ?? 5_000,
    latencySamples: options.latencySamples ?? 100_000,
    maxFileBytes: options.maxFileBytes ?? 50 * 1024 * 1024,
    maxBodyBytes: options.maxBodyBytes ?? 10 * 1024 * 1024,
    random: options.random ?? Math.random,
  };
}

/** A control API failure: HTTP status plus a message; the HTTP routes answer `{ error }` with that status. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

/** A serialized JSON value passed through as is (updates are serialized once, when queued). */
export class RawJson {
  constructor(readonly json: string) {}
}

/** A result Telegram sends with a human description (setWebhook: "Webhook was set"). */
export class DescribedResult {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

export const TOKEN_PATTERN = /^(\d{1,20}):[A-Za-z0-9_-]{35}$/;

/** Update kinds Telegram leaves out unless asked for explicitly in allowed_updates. */
const OPT_IN_UPDATES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

export const nowSeconds = (ms: number): number => Math.floor(ms / 1000);

export class BoundedList<T> {
  private items: T[] = [];

  constructor(private readonly capacity: number) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.shift();
  }

  toArray(): T[] {
    return this.items.slice();
  }

  find(predicate: (item: T) => boolean): T | undefined {
    for (let i = this.items.length - 1; i >= 0; i--) if (predicate(this.items[i])) return this.items[i];
    return undefined;
  }
}

export type StoredMessage = StoredMessageView;

/** What a new message consists of; addMessage numbers it and renders the Bot API Message. */
export interface NewMessage {
  direction: 'bot' | 'user';
  /** The Bot API method that sent it, or `user`. */
  method: string;
  from: User;
  text?: string;
  sourceText?: string;
  parseMode?: string;
  /** Entities of the text, or of the caption for media messages. */
  entities?: MessageEntity[];
  caption?: string;
  sourceCaption?: string;
  photo?: PhotoSize[];
  document?: Document;
  invoice?: InvoiceRecord;
  successfulPayment?: SuccessfulPayment;
  refundedPayment?: RefundedPayment;
  replyMarkup?: ReplyMarkup;
  messageThreadId?: number;
  replyTo?: StoredMessage;
  forwardOrigin?: MessageOrigin;
}

export function isInlineKeyboard(markup: ReplyMarkup | undefined): markup is InlineKeyboardMarkup {
  return markup !== undefined && Array.isArray(markup.inline_keyboard);
}

/** A replied-to message is embedded without its own reply, as Telegram does. */
export function embeddedMessage(message: Message): Message {
  const copy: Message = Object.assign({}, message);
  delete copy.reply_to_message;
  return copy;
}

export class ChatState {
  nextMessageId = 1;
  /** By message id; ids are consecutive from `oldestMessageId` (older ones were trimmed). */
  readonly messages = new Map<number, StoredMessage>();
  oldestMessageId = 1;
  /** Bot messages ever sent here, trimmed or not: what waitForMessages counts. */
  botMessages = 0;
  /** Private chats: the user blocked the bot. */
  blocked = false;
  /** When an update from this chat was handed to the bot and not yet answered, for reply latency. */
  awaitingReplySinceMs: number | undefined;
  members: Map<number, ChatMember['status']> | undefined;

  constructor(readonly chat: Chat) {}
}

export interface PendingPoll {
  limit: number;
  timer: NodeJS.Timeout;
  settle: (outcome: RawJson | BotApiError) => void;
}

export interface CallbackQueryState {
  id: string;
  fromUserId: number;
  chatId?: number;
  messageId?: number;
  data?: string;
  answered: boolean;
}

export interface PreCheckoutState {
  id: string;
  fromUserId: number;
  currency: string;
  totalAmount: number;
  invoicePayload: string;
  createdAtMs: number;
  answered: boolean;
}

export interface WebhookState {
  /** The URL exactly as the bot set it (getWebhookInfo returns it unchanged). */
  address: string;
  url: URL;
  secretToken?: string;
  maxConnections: number;
  ipAddress?: string;
  deliveries: number;
  failures: number;
  lastErrorDate?: number;
  lastErrorMessage?: string;
}

export interface Watcher {
  /** Returns true when satisfied (the watcher is then removed). */
  check: () => boolean;
  cancel: (error: Error) => void;
}

export class BotState {
  revoked = false;
  nextUpdateId: number;
  readonly queue: UpdateQueue;
  poller: PendingPoll | undefined;
  flushScheduled = false;
  /** undefined: Telegram's default (everything but the opt-in kinds). */
  allowedUpdates: Set<string> | undefined;
  webhook: WebhookState | undefined;
  webhookLoopRunning = false;
  readonly chats = new Map<number, ChatState>();
  readonly users = new Map<number, User>();
  readonly callbackQueries = new Map<string, CallbackQueryState>();
  readonly preCheckoutQueries = new Map<string, PreCheckoutState>();
  readonly payments = new Map<string, PaymentRecord>();
  readonly callbackAnswers: BoundedList<CallbackAnswerRecord>;
  readonly preCheckoutAnswers: BoundedList<PreCheckoutAnswerRecord>;
  readonly invoices: BoundedList<InvoiceRecord>;
  readonly refunds: BoundedList<RefundRecord>;
  readonly commands = new Map<string, BotCommand[]>();
  readonly menuButtons = new Map<string, unknown>();
  readonly texts = new Map<string, string>();
  readonly calls = new Map<string, number>();
  readonly errors = new Map<number, number>();
  status429 = 0;
  status409 = 0;
  getUpdatesCalls = 0;
  lastGetUpdatesAtMs: number | undefined;
  updatesEnqueued = 0;
  sentMessages = 0;
  faults: FaultState | undefined;
  readonly rateLimit = new BotRateLimit();
  readonly watchers = new Set<Watcher>();
  readonly messageWaiters = new Map<number, Set<Watcher>>();

  constructor(
    readonly id: number,
    readonly token: string,
    readonly profile: BotUser,
    settings: EmulatorSettings,
  ) {
    // Real update ids are large and do not start at 1; starting elsewhere catches bots that assume so.
    this.nextUpdateId = 100_000_000 + Math.floor(Math.random() * 800_000_000);
    this.queue = new UpdateQueue(settings.maxPendingUpdates);
    this.callbackAnswers = new BoundedList(settings.maxRecordsPerBot);
    this.preCheckoutAnswers = new BoundedList(settings.maxRecordsPerBot);
    this.invoices = new BoundedList(settings.maxRecordsPerBot);
    this.refunds = new BoundedList(settings.maxRecordsPerBot);
  }

  get user(): User {
    return { id: this.id, is_bot: true, first_name: this.profile.first_name, username: this.profile.username };
  }

  countCall(method: string): void {
    // Unknown method names come from clients; cap how many distinct ones are tracked.
    if (!this.calls.has(method) && this.calls.size >= 500) method = '<other>';
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  accepts(kind: string): boolean {
    return this.allowedUpdates ? this.allowedUpdates.has(kind) : !OPT_IN_UPDATES.has(kind);
  }
}

class LatencyRecorder {
  private samples: Float64Array;
  private count = 0;
  private next = 0;

  constructor(capacity: number) {
    this.samples = new Float64Array(Math.max(1, capacity));
  }

  record(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    if (this.count < this.samples.length) this.count++;
  }

  clear(): void {
    this.count = 0;
    this.next = 0;
  }

  stats(): LatencyStats {
    if (this.count === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
    const sorted = Float64Array.from(this.samples.subarray(0, this.count)).sort();
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    let sum = 0;
    for (const value of sorted) sum += value;
    return {
      count: this.count,
      mean: sum / this.count,
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      max: sorted[sorted.length - 1],
    };
  }
}

export interface GlobalCounters {
  requests: number;
  activePollers: number;
  status429: number;
  status409: number;
  updatesEnqueued: number;
  sentMessages: number;
  webhookDeliveries: number;
}

const newCounters = (): GlobalCounters => ({
  requests: 0,
  activePollers: 0,
  status429: 0,
  status409: 0,
  updatesEnqueued: 0,
  sentMessages: 0,
  webhookDeliveries: 0,
});

/**
 * All emulator state and the primitives both the Bot API methods and the control API are built on.
 * Everything a request touches is found through maps keyed by token, bot id or chat id: nothing scans
 * all bots or all chats, so the cost per request does not grow with the number of bots.
 */
export class EmulatorCore {
  readonly settings: EmulatorSettings;
  readonly files = new FileStore();
  readonly botsByToken = new Map<string, BotState>();
  readonly botsById = new Map<number, BotState>();
  globalFaults: FaultState | undefined;
  counters = newCounters();
  readonly latency: LatencyRecorder;
  /** Set by the emulator: starts webhook delivery for a bot that has updates and a webhook. */
  onWebhookWork: (bot: BotState) => void = () => undefined;
  private botSequence = 0;
  private querySequence = 0;

  constructor(options: TelegramEmulatorOptions = {}) {
    this.settings = resolveSettings(options);
    this.latency = new LatencyRecorder(this.settings.latencySamples);
  }

  // ---- bots ------------------------------------------------------------------------------------

  createBot(input: CreateBotInput = {}): BotState {
    let token = input.token;
    if (token !== undefined) {
      const existing = this.botsByToken.get(token);
      if (existing) return existing;
      if (!TOKEN_PATTERN.test(token)) throw new ControlError(400, 'token must look like <digits>:<35 characters>');
    } else {
      // Ten-digit ids like today's bots; uneven steps so tests cannot rely on consecutive ids.
      const nextId = (): number => 7_000_000_000 + ++this.botSequence * 7 + Math.floor(Math.random() * 7);
      let id = nextId();
      while (this.botsById.has(id)) id = nextId();
      token = `${id}:AA${randomBytes(33).toString('base64url').slice(0, 33)}`;
    }
    const id = Number(TOKEN_PATTERN.exec(token)![1]);
    if (this.botsById.has(id)) throw new ControlError(409, `bot ${id} is already registered with another token`);
    const username = input.username ?? `test_${id}_bot`;
    const profile: BotUser = {
      id,
      is_bot: true,
      first_name: input.firstName ?? `Test Bot ${id}`,
      username,
      can_join_groups: input.canJoinGroups ?? true,
      can_read_all_group_messages: input.canReadAllGroupMessages ?? false,
      supports_inline_queries: input.supportsInlineQueries ?? false,
      can_connect_to_business: false,
      has_main_web_app: false,
    };
    const bot = new BotState(id, token, profile, this.settings);
    this.botsByToken.set(token, bot);
    this.botsById.set(id, bot);
    return bot;
  }

  requireBot(ref: BotRef): BotState {
    const bot =
      typeof ref === 'number'
        ? this.botsById.get(ref)
        : ref.includes(':')
          ? this.botsByToken.get(ref)
          : this.botsById.get(Number(ref));
    if (!bot)
      throw new ControlError(404, `unknown bot ${typeof ref === 'string' && ref.includes(':') ? '(token)' : ref}`);
    return bot;
  }

  /** Ends what a bot has pending (poll, waiters) when it is revoked or removed. */
  detachBot(bot: BotState, pollOutcome: RawJson | BotApiError, reason: string): void {
    if (bot.poller) this.endPoll(bot, bot.poller, pollOutcome);
    const error = new ControlError(410, reason);
    for (const watcher of bot.watchers) watcher.cancel(error);
    bot.watchers.clear();
    for (const waiters of bot.messageWaiters.values()) for (const watcher of waiters) watcher.cancel(error);
    bot.messageWaiters.clear();
  }

  removeAllBots(reason: string): void {
    for (const bot of this.botsById.values()) {
      this.detachBot(bot, unauthorized(), reason);
      bot.webhook = undefined;
      bot.queue.clear();
    }
    this.botsById.clear();
    this.botsByToken.clear();
  }

  // ---- faults ----------------------------------------------------------------------------------

  /** The fault (if any) that decides this call's fate before it runs. */
  preflightFault(bot: BotState, method: string, sendMethod: boolean, now: number): BotApiError | undefined {
    // A bot's own setting of a fault replaces the global one for that bot.
    const own = bot.faults?.config;
    const failNext = own?.failNext ? bot.faults : this.globalFaults;
    const failRatio = own?.failRatio ? bot.faults : this.globalFaults;
    const failure = failNext?.nextFailure(method) ?? failRatio?.ratioFailure(method, this.settings.random);
    if (failure) return failure;
    if (!sendMethod) return undefined;
    const limit = bot.faults?.config.rateLimit ?? this.globalFaults?.config.rateLimit;
    return limit ? bot.rateLimit.check(limit, now) : undefined;
  }

  /** Whether this sendPhoto keeps its picture as a document (a `photoAsDocument` fault; the bot's own first). */
  photoAsDocument(bot: BotState): boolean {
    if (bot.faults?.config.photoAsDocument) return bot.faults.takePhotoAsDocument();
    return this.globalFaults?.takePhotoAsDocument() ?? false;
  }

  /** Whether this call's answer is lost after it ran (a `loseAnswer` fault; the bot's own first): the status, 0 for none. */
  lostAnswer(bot: BotState, method: string): number | undefined {
    if (bot.faults?.config.loseAnswer) return bot.faults.lostAnswer(method);
    return this.globalFaults?.lostAnswer(method);
  }

  delayFor(bot: BotState, method: string): number {
    if (bot.faults?.config.delay) return bot.faults.delayFor(method);
    return this.globalFaults?.delayFor(method) ?? 0;
  }

  setFaults(bot: BotState | undefined, config: FaultConfig): void {
    const state = new FaultState(config);
    if (bot) bot.faults = state;
    else this.globalFaults = state;
  }

  countError(bot: BotState | undefined, status: number): void {
    if (!bot) return;
    bot.errors.set(status, (bot.errors.get(status) ?? 0) + 1);
    if (status === 429) {
      bot.status429++;
      this.counters.status429++;
    } else if (status === 409) {
      bot.status409++;
      this.counters.status409++;
    }
  }

  // ---- updates ---------------------------------------------------------------------------------

  /**
   * Queues an update of `kind` and wakes whoever delivers it. Returns the update id, or null when the
   * bot's allowed_updates exclude this kind (Telegram then never creates the update).
   */
  enqueue(bot: BotState, kind: string, payload: unknown, chatId: number | undefined): number | null {
    return this.enqueueEntry(bot, kind, payload, chatId)?.updateId ?? null;
  }

  enqueueEntry(bot: BotState, kind: string, payload: unknown, chatId: number | undefined): QueuedUpdate | null {
    if (!bot.accepts(kind)) return null;
    const updateId = bot.nextUpdateId++;
    const update: Update = { update_id: updateId, [kind]: payload };
    const entry: QueuedUpdate = {
      updateId,
      kind,
      update,
      // Serialized now: the update is a snapshot, later edits to the message must not change it.
      json: JSON.stringify(update),
      chatId,
      redelivery: false,
      handedOut: false,
    };
    this.queueUpdate(bot, entry);
    return entry;
  }

  /** Queues an arbitrary update; an update_id the bot already had makes a redelivery. Null when filtered out. */
  pushRaw(bot: BotState, update: Record<string, unknown>): number | null {
    const kind = Object.keys(update).find((key) => key !== 'update_id');
    if (!kind) throw new ControlError(400, 'an update needs one field besides update_id');
    const given = update.update_id;
    if (given !== undefined && (typeof given !== 'number' || !Number.isSafeInteger(given) || given < 0)) {
      throw new ControlError(400, 'update_id must be a non-negative integer');
    }
    if (!bot.accepts(kind)) return null;
    const updateId = given ?? bot.nextUpdateId;
    const redelivery = updateId < bot.nextUpdateId && given !== undefined;
    if (updateId >= bot.nextUpdateId) bot.nextUpdateId = updateId + 1;
    const full = { ...update, update_id: updateId } as Update;
    this.queueUpdate(bot, {
      updateId,
      kind,
      update: full,
      json: JSON.stringify(full),
      chatId: chatOfUpdate(full),
      redelivery,
      handedOut: false,
    });
    return updateId;
  }

  private queueUpdate(bot: BotState, entry: QueuedUpdate): void {
    bot.queue.push(entry);
    bot.updatesEnqueued++;
    this.counters.updatesEnqueued++;
    if (bot.webhook) this.onWebhookWork(bot);
    else if (bot.poller) this.scheduleFlush(bot);
  }

  /** Answers the pending long poll on the next turn, so updates queued together go out together. */
  private scheduleFlush(bot: BotState): void {
    if (bot.flushScheduled) return;
    bot.flushScheduled = true;
    setImmediate(() => {
      bot.flushScheduled = false;
      const poll = bot.poller;
      if (poll && bot.queue.size > 0) this.endPoll(bot, poll, this.takeUpdates(bot, poll.limit));
    });
  }

  /** Marks updates as handed to the bot; starts the reply-latency clock of their chats. */
  handOut(bot: BotState, entries: QueuedUpdate[], now: number): void {
    for (const entry of entries) {
      bot.queue.markHandedOut(entry);
      if (entry.chatId === undefined) continue;
      const chat = bot.chats.get(entry.chatId);
      if (chat && chat.awaitingReplySinceMs === undefined) chat.awaitingReplySinceMs = now;
    }
  }

  takeUpdates(bot: BotState, limit: number): RawJson {
    const entries = bot.queue.take(limit);
    this.handOut(bot, entries, Date.now());
    let json = '[';
    for (let i = 0; i < entries.length; i++) json += (i === 0 ? '' : ',') + entries[i].json;
    return new RawJson(json + ']');
  }

  /** getUpdates: confirm by offset, then answer now or hold the request until an update or the timeout. */
  getUpdates(
    bot: BotState,
    offset: number,
    limit: number,
    timeoutSeconds: number,
    res: ServerResponse,
  ): RawJson | Promise<RawJson> {
    bot.getUpdatesCalls++;
    bot.lastGetUpdatesAtMs = Date.now();
    if (bot.webhook) throw conflict(CONFLICT_WEBHOOK_ACTIVE);
    // Telegram lets the newest request win; the older one is told another instance is polling.
    if (bot.poller) this.endPoll(bot, bot.poller, conflict(CONFLICT_OTHER_GET_UPDATES));
    const before = bot.queue.size;
    if (offset > 0) bot.queue.confirm(offset);
    else if (offset < 0) bot.queue.keepLast(-offset);
    if (bot.queue.size !== before) this.notify(bot);
    if (bot.queue.size > 0 || timeoutSeconds <= 0) return this.takeUpdates(bot, limit);
    return new Promise<RawJson>((resolve, reject) => {
      const poll: PendingPoll = {
        limit,
        timer: setTimeout(() => this.endPoll(bot, poll, new RawJson('[]')), timeoutSeconds * 1000),
        settle: (outcome) => (outcome instanceof RawJson ? resolve(outcome) : reject(outcome)),
      };
      bot.poller = poll;
      this.counters.activePollers++;
      this.notify(bot);
      // A client that gives up (aborts, disconnects) frees the slot: it must not get a 409 later.
      res.once('close', () => {
        if (bot.poller === poll) this.endPoll(bot, poll, new RawJson('[]'));
      });
    });
  }

  endPoll(bot: BotState, poll: PendingPoll, outcome: RawJson | BotApiError): void {
    if (bot.poller !== poll) return;
    bot.poller = undefined;
    this.counters.activePollers--;
    clearTimeout(poll.timer);
    poll.settle(outcome);
  }

  // ---- chats and messages ----------------------------------------------------------------------

  rememberUser(bot: BotState, input: UserInput): User {
    if (!Number.isSafeInteger(input.id) || input.id <= 0)
      throw new ControlError(400, 'user id must be a positive integer');
    const user: User = { id: input.id, is_bot: false, first_name: input.first_name ?? `User ${input.id}` };
    if (input.last_name !== undefined) user.last_name = input.last_name;
    if (input.username !== undefined) user.username = input.username;
    if (input.language_code !== undefined) user.language_code = input.language_code;
    if (input.is_premium !== undefined) user.is_premium = input.is_premium;
    bot.users.set(user.id, user);
    const chat = bot.chats.get(user.id);
    if (chat) Object.assign(chat.chat, privateChatOf(user));
    return user;
  }

  privateChat(bot: BotState, user: User): ChatState {
    let chat = bot.chats.get(user.id);
    if (!chat) {
      chat = new ChatState(privateChatOf(user));
      bot.chats.set(user.id, chat);
    }
    return chat;
  }

  groupChat(bot: BotState, input: ChatInput): ChatState {
    if (!Number.isSafeInteger(input.id) || input.id >= 0) throw new ControlError(400, 'group chat ids are negative');
    let chat = bot.chats.get(input.id);
    if (!chat) {
      const type = input.type ?? (input.id <= -1_000_000_000_000 ? 'supergroup' : 'group');
      chat = new ChatState({ id: input.id, type, title: input.title ?? `Group ${-input.id}` });
      bot.chats.set(input.id, chat);
    }
    if (input.title !== undefined) chat.chat.title = input.title;
    if (input.type !== undefined) chat.chat.type = input.type;
    if (input.is_forum !== undefined) chat.chat.is_forum = input.is_forum;
    if (input.username !== undefined) chat.chat.username = input.username;
    return chat;
  }

  /** A chat the bot may send to: blocked private chats fail with 403, unknown ones per `unknownChats`. */
  chatForSend(bot: BotState, chatId: number): ChatState {
    const chat = this.knownChat(bot, chatId);
    if (chat.blocked) throw forbidden(BLOCKED_BY_USER);
    return chat;
  }

  knownChat(bot: BotState, chatId: number): ChatState {
    const existing = bot.chats.get(chatId);
    if (existing) return existing;
    if (this.settings.unknownChats === 'reject' || chatId === 0) {
      if (chatId > 0) throw forbidden("bot can't initiate conversation with a user");
      throw badRequest('chat not found');
    }
    if (chatId > 0) return this.privateChat(bot, this.rememberUser(bot, { id: chatId }));
    return this.groupChat(bot, { id: chatId });
  }

  findMessage(bot: BotState, chatId: number, messageId: number): StoredMessage | undefined {
    return bot.chats.get(chatId)?.messages.get(messageId);
  }

  /**
   * Stores a message the bot or a user sent, numbering it in its chat, and builds the Bot API Message.
   * Objects are built field by field with a fixed shape: this runs for every sent message, and object
   * spreads of these records measured tens of times slower.
   */
  addMessage(bot: BotState, chat: ChatState, input: NewMessage): StoredMessage {
    const now = Date.now();
    const messageId = chat.nextMessageId++;
    const message: Message = { message_id: messageId, from: input.from, chat: chat.chat, date: nowSeconds(now) };
    if (input.messageThreadId !== undefined) {
      message.message_thread_id = input.messageThreadId;
      if (chat.chat.is_forum) message.is_topic_message = true;
    }
    if (input.forwardOrigin) message.forward_origin = input.forwardOrigin;
    if (input.replyTo) message.reply_to_message = embeddedMessage(input.replyTo.message);
    const entities = input.entities !== undefined && input.entities.length > 0 ? input.entities : undefined;
    if (input.text !== undefined) {
      message.text = input.text;
      if (entities) message.entities = entities;
    }
    if (input.photo) message.photo = input.photo;
    if (input.document) message.document = input.document;
    if (input.caption) {
      message.caption = input.caption;
      if (entities && input.text === undefined) message.caption_entities = entities;
    }
    const invoice = input.invoice;
    if (invoice) {
      message.invoice = {
        title: invoice.title,
        description: invoice.description,
        start_parameter: invoice.startParameter ?? '',
        currency: invoice.currency,
        total_amount: invoice.totalAmount,
      };
    }
    if (input.successfulPayment) message.successful_payment = input.successfulPayment;
    if (input.refundedPayment) message.refunded_payment = input.refundedPayment;
    if (isInlineKeyboard(input.replyMarkup)) message.reply_markup = input.replyMarkup;
    const stored: StoredMessage = {
      chatId: chat.chat.id,
      messageId,
      direction: input.direction,
      method: input.method,
      text: input.text,
      sourceText: input.sourceText,
      parseMode: input.parseMode,
      entities: input.entities,
      caption: input.caption || undefined,
      sourceCaption: input.sourceCaption || undefined,
      replyMarkup: input.replyMarkup,
      photo: input.photo,
      photoFileId: input.photo ? input.photo[input.photo.length - 1].file_id : undefined,
      document: input.document,
      documentFileId: input.document?.file_id,
      messageThreadId: input.messageThreadId,
      replyToMessageId: input.replyTo?.messageId,
      invoice,
      successfulPayment: input.successfulPayment,
      deleted: false,
      editCount: 0,
      sentAtMs: now,
      editedAtMs: undefined,
      message,
    };
    chat.messages.set(messageId, stored);
    // Ids in a chat are consecutive, so the oldest kept one is known without iterating the map: iterating
    // from the front of a map that keeps losing its first entries skips tombstones, O(history) per message.
    if (chat.messages.size > this.settings.historyPerChat) chat.messages.delete(chat.oldestMessageId++);
    if (input.direction === 'bot') this.afterBotMessage(bot, chat, now);
    return stored;
  }

  /** Bot activity in a chat: counters, reply latency, and waiters for that chat's messages. */
  afterBotMessage(bot: BotState, chat: ChatState, now: number): void {
    bot.sentMessages++;
    this.counters.sentMessages++;
    chat.botMessages++;
    this.chatChanged(bot, chat, now);
  }

  /** An edit or delete: counts as the bot answering in that chat, and may satisfy waiters. */
  afterBotEdit(bot: BotState, chatId: number, now: number): void {
    const chat = bot.chats.get(chatId);
    if (chat) this.chatChanged(bot, chat, now);
  }

  private chatChanged(bot: BotState, chat: ChatState, now: number): void {
    if (chat.awaitingReplySinceMs !== undefined) {
      this.latency.record(now - chat.awaitingReplySinceMs);
      chat.awaitingReplySinceMs = undefined;
    }
    const waiters = bot.messageWaiters.get(chat.chat.id);
    if (waiters) {
      for (const waiter of waiters) if (waiter.check()) waiters.delete(waiter);
      if (waiters.size === 0) bot.messageWaiters.delete(chat.chat.id);
    }
  }

  /** Re-checks waiters after state they may be waiting on changed. Costs nothing when nobody waits. */
  notify(bot: BotState): void {
    if (bot.watchers.size === 0) return;
    for (const watcher of bot.watchers) if (watcher.check()) bot.watchers.delete(watcher);
  }

  /** Resolves with `check()`'s first defined value, re-evaluated whenever the bot's state changes. */
  waitFor<T>(
    bot: BotState,
    check: () => T | undefined,
    timeoutMs: number,
    describe: () => string,
    chatId?: number,
  ): Promise<T> {
    const immediate = check();
    if (immediate !== undefined) return Promise.resolve(immediate);
    return new Promise<T>((resolve, reject) => {
      const set = chatId === undefined ? bot.watchers : this.chatWaiters(bot, chatId);
      const watcher: Watcher = {
        check: () => {
          const value = check();
          if (value === undefined) return false;
          clearTimeout(timer);
          resolve(value);
          return true;
        },
        cancel: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        set.delete(watcher);
        reject(new ControlError(408, describe()));
      }, timeoutMs);
      set.add(watcher);
    });
  }

  private chatWaiters(bot: BotState, chatId: number): Set<Watcher> {
    let set = bot.messageWaiters.get(chatId);
    if (!set) {
      set = new Set();
      bot.messageWaiters.set(chatId, set);
    }
    return set;
  }

  nextQueryId(): string {
    // Telegram's query ids are long decimal strings.
    return String(4_000_000_000_000_000 + ++this.querySequence * 13 + Math.floor(Math.random() * 13));
  }

  resetCounters(): void {
    const activePollers = this.counters.activePollers;
    this.counters = newCounters();
    this.counters.activePollers = activePollers;
    this.latency.clear();
  }
}

export function privateChatOf(user: User): Chat {
  const chat: Chat = { id: user.id, type: 'private', first_name: user.first_name };
  if (user.last_name !== undefined) chat.last_name = user.last_name;
  if (user.username !== undefined) chat.username = user.username;
  return chat;
}

/** The chat an arbitrary update belongs to, if it says. */
function chatOfUpdate(update: Update): number | undefined {
  for (const key of Object.keys(update)) {
    const value = update[key];
    if (!isRecord(value)) continue;
    const direct = value.chat;
    if (isRecord(direct) && typeof direct.id === 'number') return direct.id;
    const message = value.message;
    if (isRecord(message) && isRecord(message.chat) && typeof message.chat.id === 'number') return message.chat.id;
  }
  return undefined;
}
