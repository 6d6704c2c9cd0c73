import type {
  BotCommand,
  Document,
  LabeledPrice,
  Message,
  MessageEntity,
  PhotoSize,
  ReplyMarkup,
  SuccessfulPayment,
} from './bot-api-types';

/**
 * Types of the control API, shared by the in-process emulator, its HTTP routes (`/_control/...`) and
 * the HTTP client, so both ways of driving the emulator take and return exactly the same shapes.
 */

/** A bot, by numeric id or by token. */
export type BotRef = number | string;

export interface CreateBotInput {
  /** `<digits>:<35 chars>`; generated when absent. Registering an existing token returns that bot. */
  token?: string;
  username?: string;
  firstName?: string;
  canJoinGroups?: boolean;
  canReadAllGroupMessages?: boolean;
  supportsInlineQueries?: boolean;
}

export interface CreatedBot {
  id: number;
  token: string;
  username: string;
}

export interface UserInput {
  id: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  is_premium?: boolean;
}

/** A group chat; private chats are implied by the user (chat id = user id). */
export interface ChatInput {
  /** Negative, as Telegram's group ids are; supergroups look like -100xxxxxxxxxx. */
  id: number;
  type?: 'group' | 'supergroup';
  title?: string;
  is_forum?: boolean;
  username?: string;
}

export interface UserActionInput {
  from: UserInput;
  /** Omitted: the user's private chat with the bot. */
  chat?: ChatInput;
  /** Forum topic the message is posted in. */
  messageThreadId?: number;
}

export interface SendTextInput extends UserActionInput {
  text: string;
  replyToMessageId?: number;
  /** Formatting made with the app's tools (Bot API MessageEntity, UTF-16 offsets); commands, links… are added. */
  entities?: MessageEntity[];
}

export interface SendPhotoInput extends UserActionInput {
  caption?: string;
  /** The photo's content (a string is base64). Random bytes, i.e. a new photo, when neither this nor fileId is given. */
  bytes?: Buffer | string;
  /** Resend a photo this bot already knows: the same file_unique_id comes back. */
  fileId?: string;
  /** The photo answers this message (reply_to_message), like sendText's. */
  replyToMessageId?: number;
  /** Formatting of the caption, like sendText's entities. */
  caption_entities?: MessageEntity[];
}

export interface SendDocumentInput extends UserActionInput {
  caption?: string;
  /** The file's content (a string is base64). */
  bytes: Buffer | string;
  fileName?: string;
  mimeType?: string;
}

export interface UserMessageResult {
  /**
   * Null when Telegram would not deliver it to the bot: a plain group message under privacy mode
   * (the bot was created without canReadAllGroupMessages), or a kind excluded by allowed_updates.
   */
  updateId: number | null;
  chatId: number;
  messageId: number;
  message: Message;
}

export interface SendPhotoResult extends UserMessageResult {
  /** Every size's file_id, smallest first; the last one is the full-size photo. */
  fileIds: string[];
  fileUniqueIds: string[];
}

export interface SendDocumentResult extends UserMessageResult {
  fileId: string;
  fileUniqueId: string;
}

export interface PressButtonInput {
  from: UserInput;
  /** The chat holding the message; defaults to the user's private chat. */
  chatId?: number;
  messageId: number;
  /** callback_data of the pressed button. */
  data?: string;
  /** Or the pressed button's label. */
  buttonText?: string;
  /** Send `data` even though no button on the message carries it, as a modified client could. */
  forged?: boolean;
}

export interface PressButtonResult {
  updateId: number | null;
  callbackQueryId: string;
  data: string;
}

export interface PreCheckoutInput {
  from: UserInput;
  /** Take currency, amount and payload from this invoice message (in `chatId`, default the private chat). */
  invoiceMessageId?: number;
  chatId?: number;
  currency?: string;
  totalAmount?: number;
  invoicePayload?: string;
}

export interface PreCheckoutResult {
  updateId: number | null;
  preCheckoutQueryId: string;
}

export interface SuccessfulPaymentInput extends PreCheckoutInput {
  telegramPaymentChargeId?: string;
  providerPaymentChargeId?: string;
  subscriptionExpirationDate?: number;
  isRecurring?: boolean;
  isFirstRecurring?: boolean;
  chat?: ChatInput;
}

export interface SuccessfulPaymentResult extends UserMessageResult {
  telegramPaymentChargeId: string;
}

export interface RefundedPaymentInput {
  from: UserInput;
  /** A charge of this bot paid by `from` (sendSuccessfulPayment). */
  telegramPaymentChargeId: string;
  chat?: ChatInput;
}

export interface RefundedPaymentResult extends UserMessageResult {
  /** False when the charge had been refunded already (the message is delivered all the same). */
  firstRefund: boolean;
}

export interface PayInvoiceInput extends SuccessfulPaymentInput {
  /** How long to wait for the bot's answerPreCheckoutQuery. */
  timeoutMs?: number;
}

export interface PayInvoiceResult {
  preCheckoutQueryId: string;
  answer: PreCheckoutAnswerRecord;
  /** Present when the bot approved the checkout. */
  payment?: SuccessfulPaymentResult;
}

export interface BlockInput {
  from: UserInput;
}

export interface UpdateResult {
  /** Null when nothing was queued (filtered by allowed_updates, or the state did not change). */
  updateId: number | null;
}

export interface ChatMessagesQuery {
  /** Also list what the user sent (default: only the bot's messages). */
  includeUser?: boolean;
  /** Also list deleted messages (default true: they carry `deleted: true`). */
  includeDeleted?: boolean;
}

/** A message as stored by the emulator, with its current state after edits and deletes. */
export interface StoredMessageView {
  chatId: number;
  messageId: number;
  direction: 'bot' | 'user';
  /** The Bot API method that produced it (`sendMessage`...), or `user` for user messages. */
  method: string;
  /** Text as a user sees it: markup removed, trimmed. */
  text?: string;
  /** Text exactly as the bot sent it, markup included. */
  sourceText?: string;
  parseMode?: string;
  entities?: MessageEntity[];
  caption?: string;
  sourceCaption?: string;
  replyMarkup?: ReplyMarkup;
  photo?: PhotoSize[];
  /** The full-size photo's file_id. */
  photoFileId?: string;
  document?: Document;
  documentFileId?: string;
  messageThreadId?: number;
  replyToMessageId?: number;
  invoice?: InvoiceRecord;
  successfulPayment?: SuccessfulPayment;
  deleted: boolean;
  editCount: number;
  sentAtMs: number;
  editedAtMs?: number;
  /** The Bot API Message as Telegram would return it now. */
  message: Message;
}

export interface CallbackAnswerRecord {
  callbackQueryId: string;
  fromUserId: number;
  chatId?: number;
  messageId?: number;
  data?: string;
  text?: string;
  showAlert: boolean;
  url?: string;
  cacheTime?: number;
  answeredAtMs: number;
}

export interface PreCheckoutAnswerRecord {
  preCheckoutQueryId: string;
  fromUserId: number;
  currency: string;
  totalAmount: number;
  invoicePayload: string;
  ok: boolean;
  errorMessage?: string;
  answeredAtMs: number;
}

export interface InvoiceRecord {
  /** Undefined for links made by createInvoiceLink. */
  chatId?: number;
  messageId?: number;
  link?: string;
  title: string;
  description: string;
  payload: string;
  currency: string;
  prices: LabeledPrice[];
  totalAmount: number;
  providerToken?: string;
  startParameter?: string;
  subscriptionPeriod?: number;
  messageThreadId?: number;
  sentAtMs: number;
}

export interface PaymentRecord {
  telegramPaymentChargeId: string;
  userId: number;
  currency: string;
  totalAmount: number;
  invoicePayload: string;
  refunded: boolean;
  paidAtMs: number;
}

export interface RefundRecord {
  telegramPaymentChargeId: string;
  userId: number;
  currency: string;
  totalAmount: number;
  refundedAtMs: number;
}

export interface WebhookStats {
  url: string;
  hasSecretToken: boolean;
  maxConnections: number;
  deliveries: number;
  failures: number;
  lastErrorMessage?: string;
}

export interface BotStats {
  id: number;
  username: string;
  revoked: boolean;
  /** Calls per Bot API method (unknown methods under their requested name). */
  calls: Record<string, number>;
  /** Error answers by HTTP status. */
  errors: Record<string, number>;
  status429: number;
  status409: number;
  getUpdatesCalls: number;
  /** 1 while a getUpdates long poll is pending for this bot. */
  activePollers: number;
  lastGetUpdatesAtMs?: number;
  pendingUpdates: number;
  updatesEnqueued: number;
  sentMessages: number;
  webhook?: WebhookStats;
  commands: Record<string, BotCommand[]>;
}

export interface LatencyStats {
  /** Samples: for each chat, from handing an update to the bot to the bot's next message in that chat. */
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface EmulatorStats {
  bots: number;
  requests: number;
  activePollers: number;
  status429: number;
  status409: number;
  updatesEnqueued: number;
  sentMessages: number;
  webhookDeliveries: number;
  replyLatencyMs: LatencyStats;
}

export interface ResetOptions {
  /** Keep registered bots (and their tokens) but forget everything else. */
  keepBots?: boolean;
}

export type FaultScope = BotRef | 'global';

/** A user message in a batch, for benchmarks pushing many updates in one request. */
export interface BatchTextInput extends SendTextInput {
  bot: BotRef;
}
