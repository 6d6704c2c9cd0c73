import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { CONFLICT_WEBHOOK_ACTIVE, badRequest, conflict } from './bot-api-error';
import type {
  BotCommand,
  ChatMember,
  Document,
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  LabeledPrice,
  Message,
  PhotoSize,
  ReplyMarkup,
  WebhookInfo,
} from './bot-api-types';
import type { InvoiceRecord } from './control-types';
import {
  DescribedResult,
  isInlineKeyboard,
  nowSeconds,
  type BotState,
  type ChatState,
  type EmulatorCore,
  type StoredMessage,
} from './emulator-core';
import { isSendMethod } from './faults';
import type { FileContent } from './file-store';
import { formatText, normalizeParseMode, type FormattedText, type ParseMode } from './formatting';
import {
  has,
  isRecord,
  optBool,
  optInt,
  optJson,
  optString,
  reqChatId,
  reqInt,
  reqString,
  type Params,
} from './params';

export interface MethodContext {
  core: EmulatorCore;
  bot: BotState;
  params: Params;
  /** The HTTP response being answered; absent when the call came as a webhook reply. */
  res: ServerResponse | undefined;
}

export type MethodHandler = (ctx: MethodContext) => unknown;

export interface MethodDefinition {
  /** Canonical name; Telegram matches method names case-insensitively. */
  name: string;
  handler: MethodHandler;
  /** Subject to the rate-limit fault (sending, editing, copying, forwarding). */
  send: boolean;
}

const MAX_TEXT = 4096;
/** Telegram reads requests as UTF-8: a lone UTF-16 surrogate (valid in JSON as "\\ud800") is refused. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_CAPTION = 1024;
const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
const QUERY_TOO_OLD = 'query is too old and response timeout expired or query ID is invalid';

// ---- shared readers -----------------------------------------------------------------------------

function readText(
  params: Params,
  name: 'text' | 'caption',
  parseModeName = 'parse_mode',
): {
  formatted: FormattedText;
  source: string;
  parseMode: ParseMode | undefined;
} {
  const source = optString(params, name) ?? '';
  if (LONE_SURROGATE.test(source)) throw badRequest('strings must be encoded in UTF-8');
  const parseMode = normalizeParseMode(optString(params, parseModeName));
  const entitiesName = name === 'text' ? 'entities' : 'caption_entities';
  const formatted = formatText(source, parseMode, optJson(params, entitiesName));
  return { formatted, source, parseMode };
}

function readMessageText(params: Params): ReturnType<typeof readText> {
  const text = readText(params, 'text');
  if (text.formatted.text.length === 0) throw badRequest('message text is empty');
  if (text.formatted.text.length > MAX_TEXT) throw badRequest('message is too long');
  return text;
}

function readCaption(params: Params): ReturnType<typeof readText> | undefined {
  if (!has(params, 'caption')) return undefined;
  const caption = readText(params, 'caption');
  if (caption.formatted.text.length > MAX_CAPTION) throw badRequest('message caption is too long');
  return caption;
}

const INLINE_ACTIONS = [
  'callback_data',
  'url',
  'pay',
  'web_app',
  'login_url',
  'switch_inline_query',
  'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat',
  'callback_game',
  'copy_text',
];

/**
 * Validates reply_markup like Telegram (a callback_data over 64 bytes is a classic production bug) and
 * keeps only the fields Telegram knows, so stored keyboards look like the ones Telegram returns
 * (Telegraf adds `hide: false` to every button, which Telegram drops).
 */
export function validateReplyMarkup(value: unknown): ReplyMarkup {
  if (!isRecord(value)) throw badRequest("can't parse reply keyboard markup JSON object");
  if ('inline_keyboard' in value) {
    const rows = value.inline_keyboard;
    if (!Array.isArray(rows)) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array');
    const keyboard: InlineKeyboardMarkup = { inline_keyboard: rows.map(readInlineRow) };
    return keyboard;
  }
  if ('keyboard' in value) {
    if (!Array.isArray(value.keyboard)) {
      throw badRequest('field "keyboard" of the ReplyKeyboardMarkup must be an Array');
    }
    return value;
  }
  if ('remove_keyboard' in value || 'force_reply' in value) return value;
  throw badRequest("can't parse reply keyboard markup JSON object");
}

function readInlineRow(row: unknown): InlineKeyboardButton[] {
  if (!Array.isArray(row))
    throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
  return row.map((button: unknown) => {
    if (!isRecord(button) || typeof button.text !== 'string') {
      throw badRequest("can't parse inline keyboard button: Text is not a String");
    }
    if (LONE_SURROGATE.test(button.text)) throw badRequest('strings must be encoded in UTF-8');
    const kept: Record<string, unknown> = { text: button.text };
    for (const action of INLINE_ACTIONS) if (button[action] !== undefined) kept[action] = button[action];
    if (Object.keys(kept).length === 1) throw badRequest('text buttons are unallowed in the inline keyboard');
    const data = button.callback_data;
    if (data !== undefined) {
      const size = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : 0;
      if (size < 1 || size > 64) throw badRequest('BUTTON_DATA_INVALID');
    }
    const url = button.url;
    if (url !== undefined && (typeof url !== 'string' || !/^(https?|tg):\/\/\S+$/i.test(url))) {
      throw badRequest('BUTTON_URL_INVALID');
    }
    return kept as unknown as InlineKeyboardButton;
  });
}

function readReplyMarkup(params: Params): ReplyMarkup | undefined {
  const value = optJson(params, 'reply_markup', "can't parse reply keyboard markup JSON object");
  return value === undefined ? undefined : validateReplyMarkup(value);
}

/** Only inline keyboards are part of a Message as Telegram returns it. */
function inlineOnly(markup: ReplyMarkup | undefined): InlineKeyboardMarkup | undefined {
  return isInlineKeyboard(markup) ? markup : undefined;
}

function readReplyTo(core: EmulatorCore, bot: BotState, chat: ChatState, params: Params): StoredMessage | undefined {
  const parameters = optJson(params, 'reply_parameters');
  let messageId = optInt(params, 'reply_to_message_id');
  let chatId = chat.chat.id;
  let allowWithout = optBool(params, 'allow_sending_without_reply') ?? false;
  if (isRecord(parameters)) {
    if (typeof parameters.message_id === 'number') messageId = parameters.message_id;
    if (typeof parameters.chat_id === 'number') chatId = parameters.chat_id;
    if (parameters.allow_sending_without_reply === true) allowWithout = true;
  }
  if (messageId === undefined) return undefined;
  const target = core.findMessage(bot, chatId, messageId);
  if ((!target || target.deleted) && !allowWithout) throw badRequest('message to be replied not found');
  return target && !target.deleted ? target : undefined;
}

function setCaption(message: Message, caption: FormattedText): void {
  delete message.caption;
  delete message.caption_entities;
  if (caption.text === '') return;
  message.caption = caption.text;
  if (caption.entities.length > 0) message.caption_entities = caption.entities;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

// ---- updates and webhooks -----------------------------------------------------------------------

function readAllowedUpdates(params: Params): Set<string> | undefined | null {
  const value = optJson(params, 'allowed_updates');
  if (value === undefined) return null;
  if (!Array.isArray(value) || !value.every((kind) => typeof kind === 'string')) {
    throw badRequest("can't parse allowed updates JSON array");
  }
  return value.length === 0 ? undefined : new Set(value as string[]);
}

function applyAllowedUpdates(bot: BotState, params: Params): void {
  const allowed = readAllowedUpdates(params);
  // null: not given, keep the previous setting (Telegram's rule); undefined: back to the default.
  if (allowed !== null) bot.allowedUpdates = allowed;
}

const getUpdates: MethodHandler = ({ core, bot, params, res }) => {
  if (!res) throw badRequest("method getUpdates can't be used in a webhook reply");
  const offset = optInt(params, 'offset') ?? 0;
  const limit = Math.min(100, Math.max(1, optInt(params, 'limit') ?? 100));
  const timeout = Math.min(3600, Math.max(0, optInt(params, 'timeout') ?? 0));
  if (!bot.webhook) applyAllowedUpdates(bot, params);
  return core.getUpdates(bot, offset, limit, timeout, res);
};

function dropPending(core: EmulatorCore, bot: BotState, params: Params): void {
  if (optBool(params, 'drop_pending_updates')) {
    bot.queue.clear();
    core.notify(bot);
  }
}

const deleteWebhook: MethodHandler = ({ core, bot, params }) => {
  dropPending(core, bot, params);
  const had = bot.webhook !== undefined;
  bot.webhook = undefined;
  return new DescribedResult(true, had ? 'Webhook was deleted' : 'Webhook is already deleted');
};

const setWebhook: MethodHandler = (ctx) => {
  const { core, bot, params } = ctx;
  const address = optString(params, 'url') ?? '';
  if (address === '') return deleteWebhook(ctx);
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw badRequest('bad webhook: invalid URL');
  }
  // Telegram insists on HTTPS; tests run plain HTTP receivers on localhost, so both are accepted here.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
  }
  const secretToken = optString(params, 'secret_token');
  if (secretToken !== undefined && secretToken !== '' && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
    throw badRequest('secret token contains unallowed characters');
  }
  const maxConnections = Math.min(100, Math.max(1, optInt(params, 'max_connections') ?? 40));
  applyAllowedUpdates(bot, params);
  dropPending(core, bot, params);
  const previous = bot.webhook;
  const unchanged =
    previous !== undefined &&
    previous.address === address &&
    (previous.secretToken ?? '') === (secretToken ?? '') &&
    previous.maxConnections === maxConnections;
  bot.webhook = {
    address,
    url,
    secretToken: secretToken || undefined,
    maxConnections,
    ipAddress: optString(params, 'ip_address'),
    deliveries: previous?.deliveries ?? 0,
    failures: previous?.failures ?? 0,
    lastErrorDate: previous?.lastErrorDate,
    lastErrorMessage: previous?.lastErrorMessage,
  };
  if (bot.poller) core.endPoll(bot, bot.poller, conflict(CONFLICT_WEBHOOK_ACTIVE));
  core.onWebhookWork(bot);
  return new DescribedResult(true, unchanged ? 'Webhook is already set' : 'Webhook was set');
};

const getWebhookInfo: MethodHandler = ({ bot }) => {
  const hook = bot.webhook;
  const info: WebhookInfo = {
    url: hook?.address ?? '',
    has_custom_certificate: false,
    pending_update_count: bot.queue.size,
  };
  if (!hook) return info;
  info.max_connections = hook.maxConnections;
  if (hook.ipAddress) info.ip_address = hook.ipAddress;
  if (hook.lastErrorDate !== undefined) {
    info.last_error_date = hook.lastErrorDate;
    info.last_error_message = hook.lastErrorMessage;
  }
  if (bot.allowedUpdates) info.allowed_updates = [...bot.allowedUpdates];
  return info;
};

// ---- sending ------------------------------------------------------------------------------------

interface Destination {
  chat: ChatState;
  threadId: number | undefined;
  replyTo: StoredMessage | undefined;
  markup: ReplyMarkup | undefined;
}

function readDestination(core: EmulatorCore, bot: BotState, params: Params): Destination {
  const chat = core.chatForSend(bot, reqChatId(params));
  return {
    chat,
    threadId: optInt(params, 'message_thread_id'),
    replyTo: readReplyTo(core, bot, chat, params),
    markup: readReplyMarkup(params),
  };
}

const sendMessage: MethodHandler = ({ core, bot, params }) => {
  const destination = readDestination(core, bot, params);
  const { formatted, source, parseMode } = readMessageText(params);
  return core.addMessage(bot, destination.chat, {
    direction: 'bot',
    method: 'sendMessage',
    from: bot.user,
    text: formatted.text,
    sourceText: source,
    parseMode,
    entities: formatted.entities,
    replyMarkup: destination.markup,
    messageThreadId: destination.threadId,
    replyTo: destination.replyTo,
  }).message;
};

type MediaKind = 'photo' | 'document';

interface Media {
  photo?: PhotoSize[];
  document?: Document;
}

/** The file to send: a multipart upload, an `attach://` part, a URL, or a file_id this bot knows. */
function readMedia(core: EmulatorCore, bot: BotState, params: Params, kind: MediaKind): Media {
  const store = (content: FileContent, fileName?: string, mimeType?: string): Media =>
    kind === 'photo'
      ? { photo: core.files.addPhoto(bot.id, content) }
      : { document: core.files.addDocument(bot.id, content, fileName, mimeType) };
  const reference = optString(params, kind);
  const upload =
    params.files.get(kind) ?? (reference?.startsWith('attach://') ? params.files.get(reference.slice(9)) : undefined);
  if (upload) {
    if (upload.bytes.length === 0) throw badRequest('file must be non-empty');
    return store({ bytes: upload.bytes }, upload.fileName, upload.mimeType);
  }
  if (!reference || reference.startsWith('attach://')) throw badRequest(`there is no ${kind} in the request`);
  if (/^https?:\/\//i.test(reference)) return store({ url: reference });
  const file = core.files.resolve(bot.id, reference);
  if (file.kind !== kind) throw badRequest('type of file mismatch');
  return { photo: file.photo, document: file.document };
}

/** A photo kept as a document instead (the `photoAsDocument` fault): its largest size's content, no `photo`. */
function asDocument(core: EmulatorCore, bot: BotState, media: Media): Media {
  const largest = media.photo?.at(-1);
  const stored = largest ? core.files.find(largest.file_id) : undefined;
  const content: FileContent = stored?.bytes ? { bytes: stored.bytes } : { url: largest?.file_id ?? 'photo' };
  return { document: core.files.addDocument(bot.id, content, 'image', 'application/octet-stream') };
}

function sendMedia(kind: MediaKind): MethodHandler {
  return ({ core, bot, params }) => {
    const destination = readDestination(core, bot, params);
    const media = readMedia(core, bot, params, kind);
    const caption = readCaption(params);
    const { photo, document } = kind === 'photo' && core.photoAsDocument(bot) ? asDocument(core, bot, media) : media;
    return core.addMessage(bot, destination.chat, {
      direction: 'bot',
      method: kind === 'photo' ? 'sendPhoto' : 'sendDocument',
      from: bot.user,
      caption: caption?.formatted.text,
      sourceCaption: caption?.source,
      parseMode: caption?.parseMode,
      entities: caption?.formatted.entities,
      photo,
      document,
      replyMarkup: destination.markup,
      messageThreadId: destination.threadId,
      replyTo: destination.replyTo,
    }).message;
  };
}

const getFile: MethodHandler = ({ core, bot, params }) => {
  const file = core.files.resolve(bot.id, reqString(params, 'file_id', 'file_id is empty'));
  if (file.bytes && file.bytes.length > 20 * 1024 * 1024) throw badRequest('file is too big');
  return core.files.describe(file);
};

// ---- editing and deleting -----------------------------------------------------------------------

/** The stored bot message an edit targets, or undefined for inline messages (which are not stored). */
function editTarget(core: EmulatorCore, bot: BotState, params: Params): StoredMessage | undefined {
  if (has(params, 'inline_message_id')) return undefined;
  const chatId = reqChatId(params);
  const messageId = reqInt(params, 'message_id');
  const message = core.findMessage(bot, chatId, messageId);
  if (!message || message.deleted) throw badRequest('message to edit not found');
  if (message.direction !== 'bot') throw badRequest("message can't be edited");
  return message;
}

function finishEdit(
  core: EmulatorCore,
  bot: BotState,
  message: StoredMessage,
  markup: ReplyMarkup | undefined,
): Message {
  const now = Date.now();
  message.replyMarkup = markup;
  if (isInlineKeyboard(markup)) message.message.reply_markup = markup;
  else delete message.message.reply_markup;
  message.editCount++;
  message.editedAtMs = now;
  message.message.edit_date = nowSeconds(now);
  core.afterBotEdit(bot, message.chatId, now);
  return message.message;
}

const editMessageText: MethodHandler = ({ core, bot, params }) => {
  const message = editTarget(core, bot, params);
  const { formatted, source, parseMode } = readMessageText(params);
  const markup = readReplyMarkup(params);
  if (!message) return true;
  if (message.text === undefined) throw badRequest('there is no text in the message to edit');
  if (
    message.text === formatted.text &&
    sameJson(message.entities ?? [], formatted.entities) &&
    sameJson(inlineOnly(message.replyMarkup), inlineOnly(markup))
  ) {
    throw badRequest(NOT_MODIFIED);
  }
  message.text = formatted.text;
  message.sourceText = source;
  message.parseMode = parseMode;
  message.entities = formatted.entities;
  message.message.text = formatted.text;
  if (formatted.entities.length > 0) message.message.entities = formatted.entities;
  else delete message.message.entities;
  return finishEdit(core, bot, message, markup);
};

const editMessageCaption: MethodHandler = ({ core, bot, params }) => {
  const message = editTarget(core, bot, params);
  const caption = readCaption(params) ?? {
    formatted: { text: '', entities: [] },
    source: '',
    parseMode: undefined,
  };
  const markup = readReplyMarkup(params);
  if (!message) return true;
  if (!message.photo && !message.document) throw badRequest('there is no caption in the message to edit');
  if (
    (message.caption ?? '') === caption.formatted.text &&
    sameJson(inlineOnly(message.replyMarkup), inlineOnly(markup))
  ) {
    throw badRequest(NOT_MODIFIED);
  }
  message.caption = caption.formatted.text || undefined;
  message.sourceCaption = caption.source || undefined;
  message.parseMode = caption.parseMode;
  message.entities = caption.formatted.entities;
  setCaption(message.message, caption.formatted);
  return finishEdit(core, bot, message, markup);
};

const editMessageReplyMarkup: MethodHandler = ({ core, bot, params }) => {
  const message = editTarget(core, bot, params);
  const markup = readReplyMarkup(params);
  if (!message) return true;
  if (sameJson(inlineOnly(message.replyMarkup), inlineOnly(markup))) {
    throw badRequest(NOT_MODIFIED);
  }
  return finishEdit(core, bot, message, markup);
};

function deleteOne(core: EmulatorCore, bot: BotState, chatId: number, messageId: number): boolean {
  const message = core.findMessage(bot, chatId, messageId);
  if (!message || message.deleted) return false;
  message.deleted = true;
  core.afterBotEdit(bot, chatId, Date.now());
  return true;
}

const deleteMessage: MethodHandler = ({ core, bot, params }) => {
  if (!deleteOne(core, bot, reqChatId(params), reqInt(params, 'message_id'))) {
    throw badRequest('message to delete not found');
  }
  return true;
};

const deleteMessages: MethodHandler = ({ core, bot, params }) => {
  const chatId = reqChatId(params);
  const ids = optJson(params, 'message_ids');
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100) throw badRequest('message_ids is invalid');
  for (const id of ids) if (typeof id === 'number') deleteOne(core, bot, chatId, id);
  return true;
};

function sourceMessage(core: EmulatorCore, bot: BotState, params: Params, what: string): StoredMessage {
  const message = core.findMessage(bot, reqChatId(params, 'from_chat_id'), reqInt(params, 'message_id'));
  if (!message || message.deleted) throw badRequest(`message to ${what} not found`);
  if (message.invoice || message.successfulPayment)
    throw badRequest(`message can't be ${what === 'copy' ? 'copied' : 'forwarded'}`);
  return message;
}

const copyMessage: MethodHandler = ({ core, bot, params }) => {
  const source = sourceMessage(core, bot, params, 'copy');
  const destination = readDestination(core, bot, params);
  const newCaption = readCaption(params);
  const isText = source.text !== undefined;
  const stored = core.addMessage(bot, destination.chat, {
    direction: 'bot',
    method: 'copyMessage',
    from: bot.user,
    text: source.text,
    sourceText: source.sourceText,
    parseMode: newCaption && !isText ? newCaption.parseMode : source.parseMode,
    entities: newCaption && !isText ? newCaption.formatted.entities : source.entities,
    caption: isText ? undefined : (newCaption?.formatted.text ?? source.caption),
    sourceCaption: isText ? undefined : (newCaption?.source ?? source.sourceCaption),
    photo: source.photo,
    document: source.document,
    replyMarkup: destination.markup,
    messageThreadId: destination.threadId,
    replyTo: destination.replyTo,
  });
  return { message_id: stored.messageId };
};

const forwardMessage: MethodHandler = ({ core, bot, params }) => {
  const source = sourceMessage(core, bot, params, 'forward');
  const destination = readDestination(core, bot, params);
  const from = source.message.from;
  return core.addMessage(bot, destination.chat, {
    direction: 'bot',
    method: 'forwardMessage',
    from: bot.user,
    text: source.text,
    sourceText: source.sourceText,
    parseMode: source.parseMode,
    entities: source.entities,
    caption: source.caption,
    sourceCaption: source.sourceCaption,
    photo: source.photo,
    document: source.document,
    messageThreadId: destination.threadId,
    forwardOrigin: from
      ? { type: 'user', sender_user: from, date: source.message.date }
      : { type: 'hidden_user', date: source.message.date },
  }).message;
};

const answerCallbackQuery: MethodHandler = ({ core, bot, params }) => {
  const id = reqString(params, 'callback_query_id', 'QUERY_ID_INVALID');
  const text = optString(params, 'text');
  if (text !== undefined && text.length > 200) throw badRequest('MESSAGE_TOO_LONG');
  const query = bot.callbackQueries.get(id);
  if (!query || query.answered) throw badRequest(QUERY_TOO_OLD);
  query.answered = true;
  bot.callbackQueries.delete(id);
  bot.callbackAnswers.push({
    callbackQueryId: id,
    fromUserId: query.fromUserId,
    chatId: query.chatId,
    messageId: query.messageId,
    data: query.data,
    text,
    showAlert: optBool(params, 'show_alert') ?? false,
    url: optString(params, 'url'),
    cacheTime: optInt(params, 'cache_time'),
    answeredAtMs: Date.now(),
  });
  core.notify(bot);
  return true;
};

// ---- payments -----------------------------------------------------------------------------------

interface InvoiceDraft {
  title: string;
  description: string;
  payload: string;
  currency: string;
  prices: LabeledPrice[];
  totalAmount: number;
  providerToken: string;
}

function readInvoice(params: Params): InvoiceDraft {
  const title = reqString(params, 'title', 'title is empty');
  if (title.length > 32) throw badRequest('INVOICE_TITLE_INVALID');
  const description = reqString(params, 'description', 'description is empty');
  if (description.length > 255) throw badRequest('INVOICE_DESCRIPTION_INVALID');
  const payload = reqString(params, 'payload', 'payload is empty');
  if (Buffer.byteLength(payload, 'utf8') > 128) throw badRequest('INVOICE_PAYLOAD_INVALID');
  const currency = reqString(params, 'currency', 'currency is empty');
  if (!/^[A-Z]{3}$/.test(currency)) throw badRequest('CURRENCY_INVALID');
  const providerToken = optString(params, 'provider_token') ?? '';
  const raw = optJson(params, 'prices', "can't parse prices JSON object");
  if (!Array.isArray(raw) || raw.length === 0) throw badRequest("can't parse prices JSON object");
  const prices: LabeledPrice[] = raw.map((price) => {
    if (!isRecord(price) || typeof price.label !== 'string' || typeof price.amount !== 'number') {
      throw badRequest("can't parse prices JSON object");
    }
    if (!Number.isSafeInteger(price.amount)) throw badRequest('CURRENCY_TOTAL_AMOUNT_INVALID');
    return { label: price.label, amount: price.amount };
  });
  const totalAmount = prices.reduce((sum, price) => sum + price.amount, 0);
  if (totalAmount <= 0) throw badRequest('CURRENCY_TOTAL_AMOUNT_INVALID');
  // Stars invoices: no payment provider, exactly one price.
  if (currency === 'XTR' && (providerToken !== '' || prices.length !== 1)) throw badRequest('STARS_INVOICE_INVALID');
  return { title, description, payload, currency, prices, totalAmount, providerToken };
}

const sendInvoice: MethodHandler = ({ core, bot, params }) => {
  const destination = readDestination(core, bot, params);
  const draft = readInvoice(params);
  if (isInlineKeyboard(destination.markup) && destination.markup.inline_keyboard[0]?.[0]?.pay !== true) {
    throw badRequest('the first button in the inline keyboard must be a Pay button');
  }
  const startParameter = optString(params, 'start_parameter');
  const record: InvoiceRecord = {
    chatId: destination.chat.chat.id,
    title: draft.title,
    description: draft.description,
    payload: draft.payload,
    currency: draft.currency,
    prices: draft.prices,
    totalAmount: draft.totalAmount,
    providerToken: draft.providerToken || undefined,
    startParameter,
    messageThreadId: destination.threadId,
    sentAtMs: Date.now(),
  };
  const stored = core.addMessage(bot, destination.chat, {
    direction: 'bot',
    method: 'sendInvoice',
    from: bot.user,
    invoice: record,
    replyMarkup: destination.markup,
    messageThreadId: destination.threadId,
    replyTo: destination.replyTo,
  });
  record.messageId = stored.messageId;
  bot.invoices.push(record);
  return stored.message;
};

const createInvoiceLink: MethodHandler = ({ bot, params }) => {
  const draft = readInvoice(params);
  const subscriptionPeriod = optInt(params, 'subscription_period');
  if (subscriptionPeriod !== undefined && (subscriptionPeriod !== 2_592_000 || draft.currency !== 'XTR')) {
    throw badRequest('SUBSCRIPTION_PERIOD_INVALID');
  }
  const link = `https://t.me/$${randomBytes(12).toString('base64url')}`;
  bot.invoices.push({
    link,
    title: draft.title,
    description: draft.description,
    payload: draft.payload,
    currency: draft.currency,
    prices: draft.prices,
    totalAmount: draft.totalAmount,
    providerToken: draft.providerToken || undefined,
    subscriptionPeriod,
    sentAtMs: Date.now(),
  });
  return link;
};

const answerPreCheckoutQuery: MethodHandler = ({ core, bot, params }) => {
  const id = reqString(params, 'pre_checkout_query_id', 'QUERY_ID_INVALID');
  const ok = optBool(params, 'ok');
  if (ok === undefined) throw badRequest('ok is empty');
  const errorMessage = optString(params, 'error_message');
  if (!ok && !errorMessage) throw badRequest('ERROR_MESSAGE_EMPTY');
  const query = bot.preCheckoutQueries.get(id);
  if (!query) throw badRequest(QUERY_TOO_OLD);
  const deadline = core.settings.preCheckoutTimeoutMs;
  bot.preCheckoutQueries.delete(id);
  if (deadline > 0 && Date.now() - query.createdAtMs > deadline) throw badRequest(QUERY_TOO_OLD);
  query.answered = true;
  bot.preCheckoutAnswers.push({
    preCheckoutQueryId: id,
    fromUserId: query.fromUserId,
    currency: query.currency,
    totalAmount: query.totalAmount,
    invoicePayload: query.invoicePayload,
    ok,
    errorMessage: ok ? undefined : errorMessage,
    answeredAtMs: Date.now(),
  });
  core.notify(bot);
  return true;
};

const refundStarPayment: MethodHandler = ({ core, bot, params }) => {
  const userId = reqInt(params, 'user_id');
  const chargeId = reqString(params, 'telegram_payment_charge_id', 'telegram_payment_charge_id is empty');
  const payment = bot.payments.get(chargeId);
  if (!payment || payment.currency !== 'XTR') throw badRequest('CHARGE_NOT_FOUND');
  if (payment.userId !== userId) throw badRequest('USER_ID_INVALID');
  if (payment.refunded) throw badRequest('CHARGE_ALREADY_REFUNDED');
  payment.refunded = true;
  bot.refunds.push({
    telegramPaymentChargeId: chargeId,
    userId,
    currency: payment.currency,
    totalAmount: payment.totalAmount,
    refundedAtMs: Date.now(),
  });
  core.notify(bot);
  return true;
};

// ---- bot settings and chats ---------------------------------------------------------------------

function commandsKey(params: Params): string {
  const scope = optJson(params, 'scope', "can't parse BotCommandScope JSON object");
  const language = optString(params, 'language_code') ?? '';
  return `${JSON.stringify(scope ?? { type: 'default' })}|${language}`;
}

const setMyCommands: MethodHandler = ({ bot, params }) => {
  const raw = optJson(params, 'commands', "can't parse commands JSON object");
  if (!Array.isArray(raw) || raw.length > 100) throw badRequest("can't parse commands JSON object");
  const commands: BotCommand[] = raw.map((item) => {
    if (!isRecord(item) || typeof item.command !== 'string' || typeof item.description !== 'string') {
      throw badRequest("can't parse commands JSON object");
    }
    if (!/^[a-z0-9_]{1,32}$/.test(item.command)) throw badRequest('BOT_COMMAND_INVALID');
    if (item.description.length < 1 || item.description.length > 256)
      throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
    return { command: item.command, description: item.description };
  });
  bot.commands.set(commandsKey(params), commands);
  return true;
};

const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

const sendChatAction: MethodHandler = ({ core, bot, params }) => {
  core.chatForSend(bot, reqChatId(params));
  if (!CHAT_ACTIONS.has(optString(params, 'action') ?? '')) throw badRequest('wrong parameter action in request');
  return true;
};

const getChat: MethodHandler = ({ core, bot, params }) => {
  const chat = core.knownChat(bot, reqChatId(params));
  return { ...chat.chat, accent_color_id: 0, max_reaction_count: 11 };
};

const getChatMember: MethodHandler = ({ core, bot, params }) => {
  const chat = core.knownChat(bot, reqChatId(params));
  const userId = reqInt(params, 'user_id');
  if (userId === bot.id) {
    const status = chat.chat.type === 'private' ? 'member' : 'administrator';
    return { status, user: bot.user, ...(status === 'administrator' ? { can_be_edited: false } : {}) };
  }
  const user = bot.users.get(userId);
  if (!user) throw badRequest('PARTICIPANT_ID_INVALID');
  const fallback: ChatMember['status'] = chat.chat.type === 'private' && chat.chat.id === userId ? 'member' : 'left';
  return { status: chat.members?.get(userId) ?? fallback, user };
};

function menuButtonKey(params: Params): string {
  const chatId = optInt(params, 'chat_id');
  return chatId === undefined ? 'default' : String(chatId);
}

const acknowledge: MethodHandler = () => true;

const acknowledgeInChat: MethodHandler = ({ core, bot, params }) => {
  core.knownChat(bot, reqChatId(params));
  return true;
};

function storeText(key: string, name: string): MethodHandler {
  return ({ bot, params }) => {
    const value = optString(params, name);
    const language = optString(params, 'language_code') ?? '';
    if (value) bot.texts.set(`${key}|${language}`, value);
    else bot.texts.delete(`${key}|${language}`);
    return true;
  };
}

function readStoredText(key: string, name: string, fallback: (bot: BotState) => string): MethodHandler {
  return ({ bot, params }) => {
    const language = optString(params, 'language_code') ?? '';
    return { [name]: bot.texts.get(`${key}|${language}`) ?? bot.texts.get(`${key}|`) ?? fallback(bot) };
  };
}

const HANDLERS: Record<string, MethodHandler> = {
  getMe: ({ bot }) => bot.profile,
  logOut: acknowledge,
  close: acknowledge,
  getUpdates,
  setWebhook,
  deleteWebhook,
  getWebhookInfo,
  sendMessage,
  sendPhoto: sendMedia('photo'),
  sendDocument: sendMedia('document'),
  getFile,
  copyMessage,
  forwardMessage,
  editMessageText,
  editMessageCaption,
  editMessageReplyMarkup,
  deleteMessage,
  deleteMessages,
  answerCallbackQuery,
  sendInvoice,
  createInvoiceLink,
  answerPreCheckoutQuery,
  answerShippingQuery: acknowledge,
  refundStarPayment,
  setMyCommands,
  deleteMyCommands: ({ bot, params }) => {
    bot.commands.delete(commandsKey(params));
    return true;
  },
  getMyCommands: ({ bot, params }) => bot.commands.get(commandsKey(params)) ?? [],
  setChatMenuButton: ({ bot, params }) => {
    const button = optJson(params, 'menu_button', "can't parse menu button JSON object");
    bot.menuButtons.set(menuButtonKey(params), button ?? { type: 'default' });
    return true;
  },
  getChatMenuButton: ({ bot, params }) =>
    bot.menuButtons.get(menuButtonKey(params)) ?? bot.menuButtons.get('default') ?? { type: 'commands' },
  setMyName: storeText('name', 'name'),
  getMyName: readStoredText('name', 'name', (bot) => bot.profile.first_name),
  setMyDescription: storeText('description', 'description'),
  getMyDescription: readStoredText('description', 'description', () => ''),
  setMyShortDescription: storeText('short_description', 'short_description'),
  getMyShortDescription: readStoredText('short_description', 'short_description', () => ''),
  sendChatAction,
  getChat,
  getChatMember,
  getChatAdministrators: ({ core, bot, params }) => {
    core.knownChat(bot, reqChatId(params));
    return [];
  },
  pinChatMessage: acknowledgeInChat,
  unpinChatMessage: acknowledgeInChat,
  unpinAllChatMessages: acknowledgeInChat,
  leaveChat: acknowledgeInChat,
  banChatMember: acknowledgeInChat,
  unbanChatMember: acknowledgeInChat,
  restrictChatMember: acknowledgeInChat,
  answerInlineQuery: acknowledge,
};

/** Lower-cased name → method: Telegram accepts method names in any letter case. */
export const BOT_API_METHODS: ReadonlyMap<string, MethodDefinition> = new Map(
  Object.entries(HANDLERS).map(([name, handler]) => [name.toLowerCase(), { name, handler, send: isSendMethod(name) }]),
);
