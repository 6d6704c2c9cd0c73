import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BotApiError, notFound, unauthorized } from './bot-api-error';
import { BOT_API_METHODS, type MethodDefinition } from './bot-api-methods';
import type {
  CallbackQuery,
  MessageEntity,
  ChatMember,
  ChatMemberUpdated,
  Document,
  InlineKeyboardButton,
  PhotoSize,
  PreCheckoutQuery,
  RefundedPayment,
  SuccessfulPayment,
  Update,
  User,
} from './bot-api-types';
import { ControlRoutes } from './control-routes';
import type {
  BatchTextInput,
  BlockInput,
  BotRef,
  BotStats,
  CallbackAnswerRecord,
  ChatMessagesQuery,
  CreateBotInput,
  CreatedBot,
  EmulatorStats,
  FaultScope,
  InvoiceRecord,
  PayInvoiceInput,
  PayInvoiceResult,
  PaymentRecord,
  PreCheckoutAnswerRecord,
  PreCheckoutInput,
  PreCheckoutResult,
  PressButtonInput,
  PressButtonResult,
  RefundRecord,
  ResetOptions,
  SendDocumentInput,
  SendDocumentResult,
  SendPhotoInput,
  SendPhotoResult,
  SendTextInput,
  StoredMessageView,
  SuccessfulPaymentInput,
  RefundedPaymentInput,
  RefundedPaymentResult,
  SuccessfulPaymentResult,
  UpdateResult,
  UserActionInput,
  UserMessageResult,
} from './control-types';
import {
  ControlError,
  DescribedResult,
  EmulatorCore,
  RawJson,
  isInlineKeyboard,
  nowSeconds,
  type BotState,
  type ChatState,
  type StoredMessage,
  type TelegramEmulatorOptions,
} from './emulator-core';
import { serverError, type FaultConfig } from './faults';
import { detectEntities } from './formatting';
import type { Params } from './params';
import { readParams, type BodyLimits } from './request-body';
import { WebhookDelivery } from './webhook-delivery';

const DEFAULT_WAIT_MS = 5_000;
/** Unanswered callback and pre-checkout queries kept per bot; Telegram forgets them after a while too. */
const MAX_OPEN_QUERIES = 10_000;

export function sendJson(res: http.ServerResponse, status: number, body: string): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function resultBody(result: unknown): string {
  if (result instanceof RawJson) return `{"ok":true,"result":${result.json}}`;
  if (result instanceof DescribedResult) {
    return JSON.stringify({ ok: true, result: result.result, description: result.description });
  }
  return JSON.stringify({ ok: true, result });
}

const toBuffer = (bytes: Buffer | string): Buffer => (typeof bytes === 'string' ? Buffer.from(bytes, 'base64') : bytes);

const view = (message: StoredMessage): StoredMessageView => structuredClone(message);

function boundedSet<K, V>(map: Map<K, V>, key: K, value: V, capacity: number): void {
  map.set(key, value);
  if (map.size > capacity) map.delete(map.keys().next().value!);
}

/**
 * A Telegram Bot API server for tests and benchmarks: `POST|GET {url}/bot<token>/<method>` speaks the
 * real protocol (Telegraf and other clients work unchanged against it), and the control methods below
 * (also served as JSON under `{url}/_control/...`) play the users: they send messages, press buttons,
 * pay, block the bot, and read back what the bots sent.
 */
export class TelegramEmulator {
  private readonly core: EmulatorCore;
  private readonly webhooks: WebhookDelivery;
  private readonly control: ControlRoutes;
  private readonly limits: BodyLimits;
  private server: http.Server | undefined;
  private baseUrl: string | undefined;

  constructor(options: TelegramEmulatorOptions = {}) {
    this.core = new EmulatorCore(options);
    this.limits = { maxBodyBytes: this.core.settings.maxBodyBytes, maxFileBytes: this.core.settings.maxFileBytes };
    this.webhooks = new WebhookDelivery(this.core, (bot, call) => this.executeWebhookReply(bot, call));
    this.core.onWebhookWork = (bot) => this.webhooks.kick(bot);
    this.control = new ControlRoutes(this);
  }

  /** Creates an emulator and starts listening (port 0 = any free port). */
  static async start(
    options: TelegramEmulatorOptions & { port?: number; host?: string } = {},
  ): Promise<TelegramEmulator> {
    const emulator = new TelegramEmulator(options);
    await emulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    return emulator;
  }

  /** The Bot API root, e.g. `http://127.0.0.1:8081` (Telegraf's `apiRoot`). */
  get url(): string {
    if (!this.baseUrl) throw new Error('The Telegram emulator is not listening');
    return this.baseUrl;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.server) return this.url;
    const server = http.createServer(
      // Long polls last up to `timeout` seconds and control waits as long as asked: no request timeout.
      { keepAlive: true, requestTimeout: 0, noDelay: true },
      (req, res) => this.onRequest(req, res),
    );
    server.keepAliveTimeout = 75_000;
    server.headersTimeout = 80_000;
    server.maxRequestsPerSocket = 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.baseUrl = `http://${shownHost}:${address.port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    this.webhooks.close();
    this.core.removeAllBots('emulator closed');
    this.core.files.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // ---- Bot API over HTTP -----------------------------------------------------------------------

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    if (url.startsWith('/bot')) this.handleBotApi(req, res, url);
    else if (url.startsWith('/file/bot')) this.handleFileDownload(res, url);
    else if (url.startsWith('/_control/')) void this.control.handle(req, res, url);
    else this.fail(undefined, res, notFound());
  }

  private handleBotApi(req: http.IncomingMessage, res: http.ServerResponse, url: string): void {
    this.core.counters.requests++;
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    const slash = path.indexOf('/', 4);
    if (slash < 0) return this.fail(undefined, res, notFound());
    const bot = this.core.botsByToken.get(path.slice(4, slash));
    if (!bot) return this.fail(undefined, res, unauthorized());
    if (bot.revoked) return this.fail(bot, res, unauthorized());
    const name = path.slice(slash + 1);
    const method = BOT_API_METHODS.get(name.toLowerCase());
    bot.countCall(method?.name ?? name);
    if (!method) return this.fail(bot, res, notFound());
    void this.execute(bot, method, req, res, queryStart < 0 ? '' : url.slice(queryStart + 1));
  }

  private async execute(
    bot: BotState,
    method: MethodDefinition,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    query: string,
  ): Promise<void> {
    try {
      const delay = this.core.delayFor(bot, method.name);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const fault = this.core.preflightFault(bot, method.name, method.send, Date.now());
      if (fault) throw fault;
      const params = await readParams(req, query, this.limits);
      let result = method.handler({ core: this.core, bot, params, res });
      if (result instanceof Promise) result = (await result) as unknown;
      const lost = this.core.lostAnswer(bot, method.name);
      if (lost === 0) res.destroy();
      else if (lost !== undefined) this.fail(bot, res, serverError(lost));
      else sendJson(res, 200, resultBody(result));
    } catch (error) {
      this.fail(bot, res, error);
    }
  }

  private fail(bot: BotState | undefined, res: http.ServerResponse, error: unknown): void {
    let apiError: BotApiError;
    if (error instanceof BotApiError) {
      apiError = error;
    } else {
      // A bug in the emulator, not a Telegram answer: make it loud.
      console.error('telegram emulator: unexpected error', error);
      apiError = serverError(500);
    }
    if (res.writableEnded || res.destroyed) return;
    this.core.countError(bot, apiError.errorCode);
    sendJson(res, apiError.errorCode, JSON.stringify(apiError.toJSON()));
  }

  private handleFileDownload(res: http.ServerResponse, url: string): void {
    const path = url.split('?')[0].slice('/file/bot'.length);
    const slash = path.indexOf('/');
    const bot = slash < 0 ? undefined : this.core.botsByToken.get(path.slice(0, slash));
    if (!bot || bot.revoked) return this.fail(undefined, res, unauthorized());
    const file = this.core.files.findByPath(bot.id, decodeURIComponent(path.slice(slash + 1)));
    if (!file?.bytes) return this.fail(undefined, res, notFound());
    if (res.destroyed) return;
    res.writeHead(200, {
      'Content-Type': file.mimeType ?? 'application/octet-stream',
      'Content-Length': file.bytes.length,
    });
    res.end(file.bytes);
  }

  /** A webhook answered with `{ method, ...params }`: Telegram executes it and ignores the outcome. */
  private executeWebhookReply(bot: BotState, call: Record<string, unknown>): void {
    const name = String(call.method);
    const method = BOT_API_METHODS.get(name.toLowerCase());
    if (!method || method.name === 'getUpdates' || bot.revoked) return;
    bot.countCall(method.name);
    const { method: _method, ...values } = call;
    const params: Params = { values, files: new Map() };
    try {
      const result = method.handler({ core: this.core, bot, params, res: undefined });
      if (result instanceof Promise) result.catch(() => undefined);
    } catch {
      // Telegram does not report failures of webhook replies either.
    }
  }

  // ---- control: bots ---------------------------------------------------------------------------

  /** Registers a bot. Its token works against the Bot API from now on. */
  createBot(input: CreateBotInput = {}): CreatedBot {
    const bot = this.core.createBot(input);
    return { id: bot.id, token: bot.token, username: bot.profile.username ?? '' };
  }

  /** Revokes the bot's token: every call answers 401 Unauthorized; a pending long poll ends with 401. */
  revokeToken(ref: BotRef): void {
    const bot = this.core.requireBot(ref);
    bot.revoked = true;
    if (bot.poller) this.core.endPoll(bot, bot.poller, unauthorized());
  }

  restoreToken(ref: BotRef): void {
    this.core.requireBot(ref).revoked = false;
  }

  /** Forgets a bot entirely (its token becomes unknown: 401). */
  deleteBot(ref: BotRef): void {
    const bot = this.core.requireBot(ref);
    this.core.detachBot(bot, unauthorized(), 'bot deleted');
    bot.webhook = undefined;
    bot.queue.clear();
    this.core.botsById.delete(bot.id);
    this.core.botsByToken.delete(bot.token);
  }

  // ---- control: users acting -------------------------------------------------------------------

  /** A user sends a text message (commands get their bot_command entity, as in Telegram). */
  sendText(ref: BotRef, input: SendTextInput): UserMessageResult {
    const bot = this.core.requireBot(ref);
    if (typeof input.text !== 'string' || input.text.trim() === '') throw new ControlError(400, 'text is required');
    const { user, chat } = this.userContext(bot, input);
    const replyTo = this.replyTarget(bot, chat, input.replyToMessageId);
    const stored = this.core.addMessage(bot, chat, {
      direction: 'user',
      method: 'user',
      from: user,
      text: input.text,
      sourceText: input.text,
      entities: userEntities(input.text, input.entities, 'entities'),
      messageThreadId: input.messageThreadId,
      replyTo,
    });
    const delivered = this.visibleToBot(bot, chat, input.text, replyTo);
    return this.deliverUserMessage(bot, chat, stored, delivered);
  }

  /** Many text messages in one call (for benchmarks pushing thousands of updates per second). */
  sendTexts(items: BatchTextInput[]): UserMessageResult[] {
    return items.map(({ bot, ...input }) => this.sendText(bot, input));
  }

  /** A user sends a photo: new bytes (random when none given), or one the bot knows by file_id. */
  sendPhoto(ref: BotRef, input: SendPhotoInput): SendPhotoResult {
    const bot = this.core.requireBot(ref);
    const { user, chat } = this.userContext(bot, input);
    let sizes: PhotoSize[];
    if (input.fileId !== undefined) {
      const file = this.core.files.find(input.fileId);
      if (!file?.photo || file.botId !== bot.id)
        throw new ControlError(400, `bot ${bot.id} has no photo ${input.fileId}`);
      sizes = file.photo;
    } else {
      sizes = this.core.files.addPhoto(bot.id, { bytes: input.bytes ? toBuffer(input.bytes) : randomBytes(256) });
    }
    const caption = input.caption ?? '';
    const replyTo = this.replyTarget(bot, chat, input.replyToMessageId);
    const stored = this.core.addMessage(bot, chat, {
      direction: 'user',
      method: 'user',
      from: user,
      caption,
      sourceCaption: caption,
      entities: userEntities(caption, input.caption_entities, 'caption_entities'),
      photo: sizes,
      messageThreadId: input.messageThreadId,
      replyTo,
    });
    const result = this.deliverUserMessage(bot, chat, stored, this.visibleToBot(bot, chat, caption, replyTo));
    return {
      ...result,
      fileIds: sizes.map((size) => size.file_id),
      fileUniqueIds: sizes.map((size) => size.file_unique_id),
    };
  }

  /** A user sends a file (e.g. a payment receipt as PDF). */
  sendDocument(ref: BotRef, input: SendDocumentInput): SendDocumentResult {
    const bot = this.core.requireBot(ref);
    if (input.bytes === undefined) throw new ControlError(400, 'bytes are required');
    const { user, chat } = this.userContext(bot, input);
    const document: Document = this.core.files.addDocument(
      bot.id,
      { bytes: toBuffer(input.bytes) },
      input.fileName ?? 'document.bin',
      input.mimeType,
    );
    const caption = input.caption ?? '';
    const stored = this.core.addMessage(bot, chat, {
      direction: 'user',
      method: 'user',
      from: user,
      caption,
      sourceCaption: caption,
      entities: detectEntities(caption),
      document,
      messageThreadId: input.messageThreadId,
    });
    const result = this.deliverUserMessage(bot, chat, stored, this.visibleToBot(bot, chat, caption, undefined));
    return { ...result, fileId: document.file_id, fileUniqueId: document.file_unique_id };
  }

  /**
   * A user presses an inline button on a message the bot sent. By default the button must exist on
   * the message as it is now (after edits); `forged: true` sends any data, like a modified client.
   */
  pressButton(ref: BotRef, input: PressButtonInput): PressButtonResult {
    const bot = this.core.requireBot(ref);
    const user = this.core.rememberUser(bot, input.from);
    const chatId = input.chatId ?? user.id;
    const message = this.core.findMessage(bot, chatId, input.messageId);
    if (!message || message.deleted) throw new ControlError(404, `no message ${input.messageId} in chat ${chatId}`);
    const markup = message.replyMarkup;
    const buttons: InlineKeyboardButton[] = isInlineKeyboard(markup) ? markup.inline_keyboard.flat() : [];
    let data = input.data;
    if (input.buttonText !== undefined) {
      const button = buttons.find((candidate) => candidate.text === input.buttonText);
      if (button?.callback_data === undefined) {
        throw new ControlError(400, `message ${input.messageId} has no callback button "${input.buttonText}"`);
      }
      data = button.callback_data;
    }
    if (data === undefined) throw new ControlError(400, 'data or buttonText is required');
    if (!input.forged && !buttons.some((button) => button.callback_data === data)) {
      throw new ControlError(400, `message ${input.messageId} has no button with callback_data "${data}"`);
    }
    const id = this.core.nextQueryId();
    boundedSet(
      bot.callbackQueries,
      id,
      { id, fromUserId: user.id, chatId, messageId: message.messageId, data, answered: false },
      MAX_OPEN_QUERIES,
    );
    const query: CallbackQuery = {
      id,
      from: user,
      message: structuredClone(message.message),
      chat_instance: String((BigInt(Math.abs(chatId)) * 2654435761n + BigInt(bot.id)) % 10n ** 19n),
      data,
    };
    return { updateId: this.core.enqueue(bot, 'callback_query', query, chatId), callbackQueryId: id, data };
  }

  /** The user confirms payment of an invoice: the bot gets a pre_checkout_query to approve or refuse. */
  sendPreCheckoutQuery(ref: BotRef, input: PreCheckoutInput): PreCheckoutResult {
    const bot = this.core.requireBot(ref);
    const user = this.core.rememberUser(bot, input.from);
    const invoice = this.invoiceTerms(bot, user, input);
    const id = this.core.nextQueryId();
    boundedSet(
      bot.preCheckoutQueries,
      id,
      {
        id,
        fromUserId: user.id,
        currency: invoice.currency,
        totalAmount: invoice.totalAmount,
        invoicePayload: invoice.invoicePayload,
        createdAtMs: Date.now(),
        answered: false,
      },
      MAX_OPEN_QUERIES,
    );
    const query: PreCheckoutQuery = {
      id,
      from: user,
      currency: invoice.currency,
      total_amount: invoice.totalAmount,
      invoice_payload: invoice.invoicePayload,
    };
    return { updateId: this.core.enqueue(bot, 'pre_checkout_query', query, undefined), preCheckoutQueryId: id };
  }

  /**
   * The payment went through: a message with `successful_payment`. Sending the same charge id twice
   * reproduces a duplicate delivery; the charge is recorded once and can be refunded once.
   */
  sendSuccessfulPayment(ref: BotRef, input: SuccessfulPaymentInput): SuccessfulPaymentResult {
    const bot = this.core.requireBot(ref);
    const { user, chat } = this.userContext(bot, input);
    const invoice = this.invoiceTerms(bot, user, input);
    const chargeId = input.telegramPaymentChargeId ?? `stx${randomBytes(24).toString('base64url')}`;
    const payment: SuccessfulPayment = {
      currency: invoice.currency,
      total_amount: invoice.totalAmount,
      invoice_payload: invoice.invoicePayload,
      telegram_payment_charge_id: chargeId,
      provider_payment_charge_id: input.providerPaymentChargeId ?? '',
    };
    if (input.subscriptionExpirationDate !== undefined) {
      payment.subscription_expiration_date = input.subscriptionExpirationDate;
    }
    if (input.isRecurring !== undefined) payment.is_recurring = input.isRecurring;
    if (input.isFirstRecurring !== undefined) payment.is_first_recurring = input.isFirstRecurring;
    if (!bot.payments.has(chargeId)) {
      bot.payments.set(chargeId, {
        telegramPaymentChargeId: chargeId,
        userId: user.id,
        currency: invoice.currency,
        totalAmount: invoice.totalAmount,
        invoicePayload: invoice.invoicePayload,
        refunded: false,
        paidAtMs: Date.now(),
      });
    }
    const stored = this.core.addMessage(bot, chat, {
      direction: 'user',
      method: 'user',
      from: user,
      successfulPayment: payment,
    });
    return { ...this.deliverUserMessage(bot, chat, stored, true), telegramPaymentChargeId: chargeId };
  }

  /**
   * Telegram refunded a Stars payment of this bot without the bot asking (support, a dispute): the charge is
   * marked refunded (a later refundStarPayment gets CHARGE_ALREADY_REFUNDED) and a `refunded_payment` service
   * message reaches the bot. Sending it again for the same charge reproduces a duplicate delivery.
   */
  sendRefundedPayment(ref: BotRef, input: RefundedPaymentInput): RefundedPaymentResult {
    const bot = this.core.requireBot(ref);
    const { user, chat } = this.userContext(bot, input);
    const charge = bot.payments.get(input.telegramPaymentChargeId);
    if (!charge || charge.userId !== user.id) {
      throw new ControlError(404, `no charge ${input.telegramPaymentChargeId} paid by user ${user.id}`);
    }
    const firstRefund = !charge.refunded;
    if (firstRefund) {
      charge.refunded = true;
      bot.refunds.push({
        telegramPaymentChargeId: charge.telegramPaymentChargeId,
        userId: user.id,
        currency: charge.currency,
        totalAmount: charge.totalAmount,
        refundedAtMs: Date.now(),
      });
    }
    const refunded: RefundedPayment = {
      currency: charge.currency,
      total_amount: charge.totalAmount,
      invoice_payload: charge.invoicePayload,
      telegram_payment_charge_id: charge.telegramPaymentChargeId,
    };
    const stored = this.core.addMessage(bot, chat, {
      direction: 'user',
      method: 'user',
      from: user,
      refundedPayment: refunded,
    });
    return { ...this.deliverUserMessage(bot, chat, stored, true), firstRefund };
  }

  /** The whole checkout: pre_checkout_query, wait for the bot's answer, then successful_payment if approved. */
  async payInvoice(ref: BotRef, input: PayInvoiceInput): Promise<PayInvoiceResult> {
    const { preCheckoutQueryId } = this.sendPreCheckoutQuery(ref, input);
    const answer = await this.waitForPreCheckoutAnswer(ref, preCheckoutQueryId, input.timeoutMs ?? DEFAULT_WAIT_MS);
    if (!answer.ok) return { preCheckoutQueryId, answer };
    return { preCheckoutQueryId, answer, payment: this.sendSuccessfulPayment(ref, input) };
  }

  /** The user blocks the bot: a my_chat_member update (member → kicked); sends to them then fail with 403. */
  blockBot(ref: BotRef, input: BlockInput): UpdateResult {
    return this.setBlocked(ref, input, true);
  }

  /** The user unblocks (restarts) the bot: my_chat_member (kicked → member). */
  unblockBot(ref: BotRef, input: BlockInput): UpdateResult {
    return this.setBlocked(ref, input, false);
  }

  /** What getChatMember answers for a user in a chat (e.g. a channel subscription check). */
  setChatMemberStatus(ref: BotRef, chatId: number, userId: number, status: ChatMember['status']): void {
    const bot = this.core.requireBot(ref);
    if (!bot.users.has(userId)) this.core.rememberUser(bot, { id: userId });
    const chat = chatId < 0 ? this.core.groupChat(bot, { id: chatId }) : this.core.knownChat(bot, chatId);
    chat.members ??= new Map();
    chat.members.set(userId, status);
  }

  /**
   * Queues any update as is. Without update_id the next id is used; with an id the bot already had, the
   * update is delivered again even past the bot's offset, which is how to test exactly-once handling.
   */
  pushUpdate(ref: BotRef, update: Record<string, unknown>): UpdateResult {
    return { updateId: this.core.pushRaw(this.core.requireBot(ref), update) };
  }

  // ---- control: reading ------------------------------------------------------------------------

  /** Messages of a chat in order, in their current state (edits applied, deleted ones flagged). */
  getChatMessages(ref: BotRef, chatId: number, query: ChatMessagesQuery = {}): StoredMessageView[] {
    const chat = this.core.requireBot(ref).chats.get(chatId);
    return chat ? this.messagesOf(chat, query.includeUser ?? false, query.includeDeleted ?? true) : [];
  }

  getCallbackAnswers(ref: BotRef): CallbackAnswerRecord[] {
    return structuredClone(this.core.requireBot(ref).callbackAnswers.toArray());
  }

  getPreCheckoutAnswers(ref: BotRef): PreCheckoutAnswerRecord[] {
    return structuredClone(this.core.requireBot(ref).preCheckoutAnswers.toArray());
  }

  getInvoices(ref: BotRef): InvoiceRecord[] {
    return structuredClone(this.core.requireBot(ref).invoices.toArray());
  }

  getPayments(ref: BotRef): PaymentRecord[] {
    return structuredClone([...this.core.requireBot(ref).payments.values()]);
  }

  getRefunds(ref: BotRef): RefundRecord[] {
    return structuredClone(this.core.requireBot(ref).refunds.toArray());
  }

  /** Updates queued for the bot and not yet confirmed. */
  getPendingUpdates(ref: BotRef): Update[] {
    return this.core
      .requireBot(ref)
      .queue.toArray()
      .map((entry) => JSON.parse(entry.json) as Update);
  }

  getBotStats(ref: BotRef): BotStats {
    const bot = this.core.requireBot(ref);
    const stats: BotStats = {
      id: bot.id,
      username: bot.profile.username ?? '',
      revoked: bot.revoked,
      calls: Object.fromEntries(bot.calls),
      errors: Object.fromEntries([...bot.errors].map(([status, count]) => [String(status), count])),
      status429: bot.status429,
      status409: bot.status409,
      getUpdatesCalls: bot.getUpdatesCalls,
      activePollers: bot.poller ? 1 : 0,
      lastGetUpdatesAtMs: bot.lastGetUpdatesAtMs,
      pendingUpdates: bot.queue.size,
      updatesEnqueued: bot.updatesEnqueued,
      sentMessages: bot.sentMessages,
      commands: Object.fromEntries(bot.commands),
    };
    if (bot.webhook) {
      stats.webhook = {
        url: bot.webhook.address,
        hasSecretToken: bot.webhook.secretToken !== undefined,
        maxConnections: bot.webhook.maxConnections,
        deliveries: bot.webhook.deliveries,
        failures: bot.webhook.failures,
        lastErrorMessage: bot.webhook.lastErrorMessage,
      };
    }
    return stats;
  }

  getStats(): EmulatorStats {
    return { bots: this.core.botsById.size, ...this.core.counters, replyLatencyMs: this.core.latency.stats() };
  }

  // ---- control: waiting (event-driven: re-checked when the state changes, never polled) ---------

  /** Resolves with the chat's bot messages once it has at least `count` of them. */
  waitForMessages(
    ref: BotRef,
    chatId: number,
    count: number,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<StoredMessageView[]> {
    const bot = this.core.requireBot(ref);
    return this.core.waitFor(
      bot,
      () => {
        const chat = bot.chats.get(chatId);
        return chat && chat.botMessages >= count ? this.messagesOf(chat, false, true) : undefined;
      },
      timeoutMs,
      () =>
        `chat ${chatId} got ${bot.chats.get(chatId)?.botMessages ?? 0} bot messages, not ${count}, in ${timeoutMs} ms`,
      chatId,
    );
  }

  /** Resolves with the message once it has been edited `editCount` times in all (or deleted). */
  waitForEdit(
    ref: BotRef,
    chatId: number,
    messageId: number,
    editCount = 1,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<StoredMessageView> {
    const bot = this.core.requireBot(ref);
    return this.core.waitFor(
      bot,
      () => {
        const message = this.core.findMessage(bot, chatId, messageId);
        return message && (message.editCount >= editCount || message.deleted) ? view(message) : undefined;
      },
      timeoutMs,
      () => `message ${messageId} in chat ${chatId} was not edited ${editCount} time(s) in ${timeoutMs} ms`,
      chatId,
    );
  }

  waitForCallbackAnswer(
    ref: BotRef,
    callbackQueryId: string,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<CallbackAnswerRecord> {
    const bot = this.core.requireBot(ref);
    return this.core.waitFor(
      bot,
      () => {
        const answer = bot.callbackAnswers.find((candidate) => candidate.callbackQueryId === callbackQueryId);
        return answer && structuredClone(answer);
      },
      timeoutMs,
      () => `callback query ${callbackQueryId} was not answered in ${timeoutMs} ms`,
    );
  }

  waitForPreCheckoutAnswer(
    ref: BotRef,
    preCheckoutQueryId: string,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<PreCheckoutAnswerRecord> {
    const bot = this.core.requireBot(ref);
    return this.core.waitFor(
      bot,
      () => {
        const answer = bot.preCheckoutAnswers.find((candidate) => candidate.preCheckoutQueryId === preCheckoutQueryId);
        return answer && structuredClone(answer);
      },
      timeoutMs,
      () => `pre-checkout query ${preCheckoutQueryId} was not answered in ${timeoutMs} ms`,
    );
  }

  /** Resolves once the bot has confirmed (getUpdates offset) or received (webhook 2xx) every queued update. */
  async waitForUpdatesConsumed(ref: BotRef, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    const bot = this.core.requireBot(ref);
    await this.core.waitFor(
      bot,
      () => (bot.queue.size === 0 ? true : undefined),
      timeoutMs,
      () => `bot ${bot.id} still has ${bot.queue.size} unconfirmed updates after ${timeoutMs} ms`,
    );
  }

  /** Resolves once a getUpdates long poll is pending for the bot, i.e. something is polling it. */
  async waitForPolling(ref: BotRef, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    const bot = this.core.requireBot(ref);
    await this.core.waitFor(
      bot,
      () => (bot.poller ? true : undefined),
      timeoutMs,
      () => `nothing long-polled bot ${bot.id} within ${timeoutMs} ms`,
    );
  }

  // ---- control: faults and reset ---------------------------------------------------------------

  /** Replaces the faults of one bot, or the global ones (which apply to bots without their own). */
  setFaults(scope: FaultScope, config: FaultConfig): void {
    this.core.setFaults(scope === 'global' ? undefined : this.core.requireBot(scope), config);
  }

  /** Clears one scope's faults, or all of them (global and every bot's) when no scope is given. */
  clearFaults(scope?: FaultScope): void {
    if (scope === undefined || scope === 'global') this.core.globalFaults = undefined;
    if (scope === undefined) for (const bot of this.core.botsById.values()) bot.faults = undefined;
    else if (scope !== 'global') this.core.requireBot(scope).faults = undefined;
  }

  /** Zeroes every counter and the latency samples, keeping all state: for benchmarks measuring phases. */
  resetStats(): void {
    this.core.resetCounters();
    for (const bot of this.core.botsById.values()) {
      bot.calls.clear();
      bot.errors.clear();
      bot.status429 = 0;
      bot.status409 = 0;
      bot.getUpdatesCalls = 0;
      bot.updatesEnqueued = 0;
      bot.sentMessages = 0;
      if (bot.webhook) {
        bot.webhook.deliveries = 0;
        bot.webhook.failures = 0;
      }
    }
  }

  /** Forgets everything (or everything but the registered bots): for `beforeEach`. */
  reset(options: ResetOptions = {}): void {
    const kept = options.keepBots
      ? [...this.core.botsById.values()].map((bot) => ({
          token: bot.token,
          profile: bot.profile,
          revoked: bot.revoked,
        }))
      : [];
    for (const bot of this.core.botsById.values()) {
      // Kept bots' pollers get an empty answer and simply poll again; removed ones learn they are gone.
      this.core.detachBot(bot, options.keepBots ? new RawJson('[]') : unauthorized(), 'emulator reset');
      bot.webhook = undefined;
      bot.queue.clear();
    }
    this.core.botsById.clear();
    this.core.botsByToken.clear();
    this.core.files.clear();
    this.core.globalFaults = undefined;
    this.core.resetCounters();
    for (const { token, profile, revoked } of kept) {
      const bot = this.core.createBot({
        token,
        username: profile.username,
        firstName: profile.first_name,
        canJoinGroups: profile.can_join_groups,
        canReadAllGroupMessages: profile.can_read_all_group_messages,
        supportsInlineQueries: profile.supports_inline_queries,
      });
      bot.revoked = revoked;
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private userContext(bot: BotState, input: UserActionInput): { user: User; chat: ChatState } {
    if (!input?.from) throw new ControlError(400, 'from (the user) is required');
    const user = this.core.rememberUser(bot, input.from);
    if (!input.chat) {
      const chat = this.core.privateChat(bot, user);
      if (chat.blocked) this.setBlocked(bot.id, { from: input.from }, false);
      return { user, chat };
    }
    const chat = this.core.groupChat(bot, input.chat);
    chat.members ??= new Map();
    if (!chat.members.has(user.id)) chat.members.set(user.id, 'member');
    return { user, chat };
  }

  private replyTarget(bot: BotState, chat: ChatState, messageId: number | undefined): StoredMessage | undefined {
    if (messageId === undefined) return undefined;
    const target = chat.messages.get(messageId);
    if (!target || target.deleted) throw new ControlError(404, `no message ${messageId} in chat ${chat.chat.id}`);
    return target;
  }

  /**
   * Privacy mode: in groups a bot without can_read_all_group_messages only gets commands, replies to
   * its own messages and mentions of it, as in Telegram.
   */
  private visibleToBot(bot: BotState, chat: ChatState, text: string, replyTo: StoredMessage | undefined): boolean {
    if (chat.chat.type === 'private' || bot.profile.can_read_all_group_messages) return true;
    if (text.startsWith('/')) return true;
    if (replyTo?.direction === 'bot') return true;
    return text.toLowerCase().includes(`@${(bot.profile.username ?? '').toLowerCase()}`);
  }

  private deliverUserMessage(
    bot: BotState,
    chat: ChatState,
    stored: StoredMessage,
    delivered: boolean,
  ): UserMessageResult {
    const entry = delivered ? this.core.enqueueEntry(bot, 'message', stored.message, chat.chat.id) : null;
    // The queued JSON is a ready-made copy: parsing it is cheaper than cloning (this runs per pushed update).
    const message = entry ? (JSON.parse(entry.json) as Update).message! : structuredClone(stored.message);
    return { updateId: entry?.updateId ?? null, chatId: chat.chat.id, messageId: stored.messageId, message };
  }

  private invoiceTerms(
    bot: BotState,
    user: User,
    input: PreCheckoutInput,
  ): { currency: string; totalAmount: number; invoicePayload: string } {
    let terms = { currency: input.currency, totalAmount: input.totalAmount, invoicePayload: input.invoicePayload };
    if (input.invoiceMessageId !== undefined) {
      const chatId = input.chatId ?? user.id;
      const invoice = this.core.findMessage(bot, chatId, input.invoiceMessageId)?.invoice;
      if (!invoice) throw new ControlError(404, `no invoice message ${input.invoiceMessageId} in chat ${chatId}`);
      terms = {
        currency: input.currency ?? invoice.currency,
        totalAmount: input.totalAmount ?? invoice.totalAmount,
        invoicePayload: input.invoicePayload ?? invoice.payload,
      };
    }
    if (terms.totalAmount === undefined || terms.invoicePayload === undefined) {
      throw new ControlError(400, 'give invoiceMessageId, or totalAmount and invoicePayload');
    }
    return { currency: terms.currency ?? 'XTR', totalAmount: terms.totalAmount, invoicePayload: terms.invoicePayload };
  }

  private setBlocked(ref: BotRef, input: BlockInput, blocked: boolean): UpdateResult {
    const bot = this.core.requireBot(ref);
    if (!input?.from) throw new ControlError(400, 'from (the user) is required');
    const user = this.core.rememberUser(bot, input.from);
    const chat = this.core.privateChat(bot, user);
    if (chat.blocked === blocked) return { updateId: null };
    chat.blocked = blocked;
    const member = (status: ChatMember['status']): ChatMember =>
      status === 'kicked' ? { status, user: bot.user, until_date: 0 } : { status, user: bot.user };
    const update: ChatMemberUpdated = {
      chat: chat.chat,
      from: user,
      date: nowSeconds(Date.now()),
      old_chat_member: member(blocked ? 'member' : 'kicked'),
      new_chat_member: member(blocked ? 'kicked' : 'member'),
    };
    return { updateId: this.core.enqueue(bot, 'my_chat_member', update, undefined) };
  }

  private messagesOf(chat: ChatState, includeUser: boolean, includeDeleted: boolean): StoredMessageView[] {
    const result: StoredMessageView[] = [];
    for (const message of chat.messages.values()) {
      if (!includeUser && message.direction !== 'bot') continue;
      if (!includeDeleted && message.deleted) continue;
      result.push(view(message));
    }
    return result;
  }
}

/**
 * The entities of what a user sends: the formatting the app sent along (checked like the Bot API shape: a type,
 * an offset and length inside the text in UTF-16 units, a text_link's url) plus those Telegram adds itself.
 */
function userEntities(text: string, given: MessageEntity[] | undefined, field: string): MessageEntity[] {
  const detected = detectEntities(text);
  if (given === undefined) return detected;
  if (!Array.isArray(given)) throw new ControlError(400, `${field} must be an array`);
  for (const e of given) {
    const ok =
      typeof e?.type === 'string' &&
      Number.isInteger(e.offset) &&
      Number.isInteger(e.length) &&
      e.offset >= 0 &&
      e.length > 0 &&
      e.offset + e.length <= text.length &&
      (e.type !== 'text_link' || typeof e.url === 'string');
    if (!ok) throw new ControlError(400, `${field}: ${JSON.stringify(e)} is not an entity of the text`);
  }
  return [...given, ...detected].sort((a, b) => a.offset - b.offset || b.length - a.length);
}
