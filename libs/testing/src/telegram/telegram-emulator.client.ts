import type { ChatMember, Update } from './bot-api-types';
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
  UserMessageResult,
} from './control-types';
import type { FaultConfig } from './faults';

/** A control API call failed; `status` is the HTTP status (404 unknown bot, 408 wait timed out...). */
export class TelegramEmulatorClientError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'TelegramEmulatorClientError';
  }
}

/** A raw Bot API answer, for tests that call the Bot API without a bot framework. */
export interface BotApiResponse<T = unknown> {
  status: number;
  body: { ok: boolean; result?: T; error_code?: number; description?: string; parameters?: { retry_after?: number } };
}

const DEFAULT_WAIT_MS = 5_000;

const encodeBytes = (bytes: Buffer | string | undefined): string | undefined =>
  bytes === undefined || typeof bytes === 'string' ? bytes : bytes.toString('base64');

/**
 * The emulator's control API over HTTP, for e2e tests and benchmarks running the emulator in another
 * process (`npm run emulator:telegram`). Method for method the same as the in-process emulator,
 * except that everything returns a promise.
 */
export class TelegramEmulatorClient {
  private readonly baseUrl: string;

  /** @param baseUrl the emulator's URL, e.g. `http://127.0.0.1:8081` */
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** The Bot API root to give a bot framework (Telegraf's `apiRoot`). */
  get url(): string {
    return this.baseUrl;
  }

  // ---- bots ------------------------------------------------------------------------------------

  createBot(input: CreateBotInput = {}): Promise<CreatedBot> {
    return this.call('POST', '/bots', input);
  }

  async revokeToken(bot: BotRef): Promise<void> {
    await this.call('POST', `${this.bot(bot)}/revoke`);
  }

  async restoreToken(bot: BotRef): Promise<void> {
    await this.call('POST', `${this.bot(bot)}/restore`);
  }

  async deleteBot(bot: BotRef): Promise<void> {
    await this.call('DELETE', this.bot(bot));
  }

  // ---- users acting ----------------------------------------------------------------------------

  sendText(bot: BotRef, input: SendTextInput): Promise<UserMessageResult> {
    return this.call('POST', `${this.bot(bot)}/messages`, input);
  }

  async sendTexts(items: BatchTextInput[]): Promise<UserMessageResult[]> {
    const { results } = await this.call<{ results: UserMessageResult[] }>('POST', '/messages/batch', { items });
    return results;
  }

  sendPhoto(bot: BotRef, input: SendPhotoInput): Promise<SendPhotoResult> {
    return this.call('POST', `${this.bot(bot)}/photos`, { ...input, bytes: encodeBytes(input.bytes) });
  }

  sendDocument(bot: BotRef, input: SendDocumentInput): Promise<SendDocumentResult> {
    return this.call('POST', `${this.bot(bot)}/documents`, { ...input, bytes: encodeBytes(input.bytes) });
  }

  pressButton(bot: BotRef, input: PressButtonInput): Promise<PressButtonResult> {
    return this.call('POST', `${this.bot(bot)}/callback-queries`, input);
  }

  sendPreCheckoutQuery(bot: BotRef, input: PreCheckoutInput): Promise<PreCheckoutResult> {
    return this.call('POST', `${this.bot(bot)}/pre-checkout-queries`, input);
  }

  sendSuccessfulPayment(bot: BotRef, input: SuccessfulPaymentInput): Promise<SuccessfulPaymentResult> {
    return this.call('POST', `${this.bot(bot)}/successful-payments`, input);
  }

  sendRefundedPayment(bot: BotRef, input: RefundedPaymentInput): Promise<RefundedPaymentResult> {
    return this.call('POST', `${this.bot(bot)}/refunded-payments`, input);
  }

  payInvoice(bot: BotRef, input: PayInvoiceInput): Promise<PayInvoiceResult> {
    return this.call('POST', `${this.bot(bot)}/pay`, input);
  }

  blockBot(bot: BotRef, input: BlockInput): Promise<UpdateResult> {
    return this.call('POST', `${this.bot(bot)}/block`, input);
  }

  unblockBot(bot: BotRef, input: BlockInput): Promise<UpdateResult> {
    return this.call('POST', `${this.bot(bot)}/unblock`, input);
  }

  async setChatMemberStatus(bot: BotRef, chatId: number, userId: number, status: ChatMember['status']): Promise<void> {
    await this.call('PUT', `${this.bot(bot)}/chats/${chatId}/members/${userId}`, { status });
  }

  pushUpdate(bot: BotRef, update: Record<string, unknown>): Promise<UpdateResult> {
    return this.call('POST', `${this.bot(bot)}/updates`, update);
  }

  // ---- reading ---------------------------------------------------------------------------------

  getChatMessages(bot: BotRef, chatId: number, query: ChatMessagesQuery = {}): Promise<StoredMessageView[]> {
    const search = new URLSearchParams();
    if (query.includeUser !== undefined) search.set('includeUser', String(query.includeUser));
    if (query.includeDeleted !== undefined) search.set('includeDeleted', String(query.includeDeleted));
    return this.call('GET', `${this.bot(bot)}/chats/${chatId}/messages?${search}`);
  }

  getCallbackAnswers(bot: BotRef): Promise<CallbackAnswerRecord[]> {
    return this.call('GET', `${this.bot(bot)}/callback-answers`);
  }

  getPreCheckoutAnswers(bot: BotRef): Promise<PreCheckoutAnswerRecord[]> {
    return this.call('GET', `${this.bot(bot)}/pre-checkout-answers`);
  }

  getInvoices(bot: BotRef): Promise<InvoiceRecord[]> {
    return this.call('GET', `${this.bot(bot)}/invoices`);
  }

  getPayments(bot: BotRef): Promise<PaymentRecord[]> {
    return this.call('GET', `${this.bot(bot)}/payments`);
  }

  getRefunds(bot: BotRef): Promise<RefundRecord[]> {
    return this.call('GET', `${this.bot(bot)}/refunds`);
  }

  getPendingUpdates(bot: BotRef): Promise<Update[]> {
    return this.call('GET', `${this.bot(bot)}/updates`);
  }

  getBotStats(bot: BotRef): Promise<BotStats> {
    return this.call('GET', this.bot(bot));
  }

  getStats(): Promise<EmulatorStats> {
    return this.call('GET', '/stats');
  }

  async resetStats(): Promise<void> {
    await this.call('POST', '/stats/reset');
  }

  // ---- waiting (long-polls the emulator; it answers as soon as the condition holds) -------------

  waitForMessages(
    bot: BotRef,
    chatId: number,
    count: number,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<StoredMessageView[]> {
    return this.call('GET', `${this.bot(bot)}/chats/${chatId}/messages/wait?count=${count}&timeoutMs=${timeoutMs}`);
  }

  waitForEdit(
    bot: BotRef,
    chatId: number,
    messageId: number,
    editCount = 1,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<StoredMessageView> {
    return this.call(
      'GET',
      `${this.bot(bot)}/chats/${chatId}/messages/${messageId}/wait-edit?editCount=${editCount}&timeoutMs=${timeoutMs}`,
    );
  }

  waitForCallbackAnswer(
    bot: BotRef,
    callbackQueryId: string,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<CallbackAnswerRecord> {
    return this.call(
      'GET',
      `${this.bot(bot)}/callback-answers/${encodeURIComponent(callbackQueryId)}/wait?timeoutMs=${timeoutMs}`,
    );
  }

  waitForPreCheckoutAnswer(
    bot: BotRef,
    preCheckoutQueryId: string,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<PreCheckoutAnswerRecord> {
    return this.call(
      'GET',
      `${this.bot(bot)}/pre-checkout-answers/${encodeURIComponent(preCheckoutQueryId)}/wait?timeoutMs=${timeoutMs}`,
    );
  }

  async waitForUpdatesConsumed(bot: BotRef, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    await this.call('GET', `${this.bot(bot)}/updates/consumed/wait?timeoutMs=${timeoutMs}`);
  }

  async waitForPolling(bot: BotRef, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    await this.call('GET', `${this.bot(bot)}/polling/wait?timeoutMs=${timeoutMs}`);
  }

  // ---- faults and reset ------------------------------------------------------------------------

  async setFaults(scope: FaultScope, config: FaultConfig): Promise<void> {
    await this.call('PUT', scope === 'global' ? '/faults' : `${this.bot(scope)}/faults`, config);
  }

  async clearFaults(scope?: FaultScope): Promise<void> {
    await this.call('DELETE', scope === undefined || scope === 'global' ? '/faults' : `${this.bot(scope)}/faults`);
  }

  async reset(options: ResetOptions = {}): Promise<void> {
    await this.call('POST', '/reset', options);
  }

  // ---- raw Bot API -----------------------------------------------------------------------------

  /** Calls a Bot API method with a JSON body, as a bot would; returns the status and body whatever they are. */
  async botApi<T = unknown>(
    token: string,
    method: string,
    params: Record<string, unknown> = {},
  ): Promise<BotApiResponse<T>> {
    const response = await fetch(`${this.baseUrl}/bot${token}/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(params),
    });
    return { status: response.status, body: (await response.json()) as BotApiResponse<T>['body'] };
  }

  private bot(bot: BotRef): string {
    return `/bots/${encodeURIComponent(String(bot))}`;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/_control${path}`, {
      method,
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) {
      const message =
        typeof parsed === 'object' && parsed !== null && 'error' in parsed ? String(parsed.error) : response.statusText;
      throw new TelegramEmulatorClientError(response.status, message);
    }
    return parsed as T;
  }
}
