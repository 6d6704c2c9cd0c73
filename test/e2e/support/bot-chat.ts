import {
  buttonData,
  buttonsOf,
  CallbackAnswerRecord,
  ChatInput,
  PayInvoiceResult,
  PressButtonResult,
  SendPhotoInput,
  TelegramEmulator,
  UserInput,
  waitFor,
} from '@botfleet/testing';

export { buttonData, buttonsOf };

/** A message of a chat in the Telegram emulator, as `getChatMessages` lists it. */
export type ChatMessage = ReturnType<TelegramEmulator['getChatMessages']>[number];

/** Waits until the chat `chatId` of the bot `botTelegramId` has a bot message matching `match` (new or edited). */
export const waitForBotMessage = (
  emu: TelegramEmulator,
  botTelegramId: number,
  chatId: number,
  match: (m: ChatMessage) => boolean,
  timeoutMs = 15_000,
): Promise<ChatMessage> =>
  waitFor(
    () =>
      emu
        .getChatMessages(botTelegramId, chatId)
        .filter((m) => m.direction === 'bot')
        .find(match),
    timeoutMs,
  );

/**
 * A private-chat `/start` from `from` carrying the update id given: for `pushUpdate`, to send a bot an id that
 * another Telegram bot already sent (update ids are per Telegram bot).
 */
export const startUpdateWithId = (updateId: number | null, from: { id: number; first_name: string }) => ({
  update_id: updateId,
  message: {
    message_id: 1,
    date: Math.floor(Date.now() / 1000),
    chat: { id: from.id, type: 'private', first_name: from.first_name },
    from: { id: from.id, is_bot: false, first_name: from.first_name },
    text: '/start',
    entities: [{ type: 'bot_command', offset: 0, length: 6 }],
  },
});

/** The worker env of quick bot take-overs (one definition, in `@botfleet/testing`). */
export { QUICK_BOT_LEASES } from '@botfleet/testing';

/** The text of a message, or the caption of a photo. */
export const textOf = (m: ChatMessage): string => m.text ?? m.caption ?? '';

/** A match: the message's text or caption contains `s`. */
export const has =
  (s: string) =>
  (m: ChatMessage): boolean =>
    textOf(m).includes(s);

/** A match: the message has a button whose callback data starts with `prefix`. */
export const withButton =
  (prefix: string) =>
  (m: ChatMessage): boolean =>
    !!buttonData(m, prefix);

const anyMessage = (): boolean => true;

/** The sale's callback prefixes a purchase walks through: a plan of /buy, then card to card. */
const PLAN = 's:p:';
const CARD = 's:c:';
const WALLET = 's:w:';
/** The approve button of a receipt's review in the admin chat. */
const APPROVE = 'rv:a:';

export interface BotChatOptions {
  /** A group chat (an admin chat) instead of the user's private chat with the bot. */
  group?: ChatInput;
  /** How long a wait for the bot's message takes at most (default 15 s). */
  timeoutMs?: number;
}

/**
 * One person's chat with one bot in the Telegram emulator, driven as that person would: send a text, press a
 * button, wait for what the bot says. Waits look at the bot's messages as they are now (edits applied); "next"
 * means newer than a message id, so a wait finds the new answer and not an earlier look-alike.
 */
export class BotChat {
  readonly chatId: number;
  private readonly timeoutMs: number;

  constructor(
    readonly emu: TelegramEmulator,
    readonly bot: { id: number },
    readonly user: UserInput,
    private readonly options: BotChatOptions = {},
  ) {
    this.chatId = options.group?.id ?? user.id;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** The same chat, acted in by `user` (another member of the group). */
  as(user: UserInput): BotChat {
    return new BotChat(this.emu, this.bot, user, this.options);
  }

  /** The bot's messages in this chat, oldest first. */
  messages(): ChatMessage[] {
    return this.emu.getChatMessages(this.bot.id, this.chatId);
  }

  /** The newest message id of the chat, of either side (ids grow per chat); 0 for an empty chat. */
  lastId(): number {
    const all = this.emu.getChatMessages(this.bot.id, this.chatId, { includeUser: true });
    return Math.max(0, ...all.map((m) => m.messageId));
  }

  /** Waits for a bot message of this chat matching `match`, new or edited. */
  message(match: (m: ChatMessage) => boolean, timeoutMs = this.timeoutMs): Promise<ChatMessage> {
    return waitForBotMessage(this.emu, this.bot.id, this.chatId, match, timeoutMs);
  }

  /** Waits for a bot message newer than `afterId` matching `match` (the first such one). */
  next(afterId: number, match: (m: ChatMessage) => boolean = anyMessage, timeoutMs?: number): Promise<ChatMessage> {
    return this.message((m) => m.messageId > afterId && match(m), timeoutMs);
  }

  /** Waits until the message `messageId` (edited in place) matches `match`. */
  edited(messageId: number, match: (m: ChatMessage) => boolean, timeoutMs?: number): Promise<ChatMessage> {
    return this.message((m) => m.messageId === messageId && match(m), timeoutMs);
  }

  /** Sends `text` and does not wait. */
  say(text: string, replyToMessageId?: number): ReturnType<TelegramEmulator['sendText']> {
    return this.emu.sendText(this.bot.id, {
      from: this.user,
      text,
      ...(this.options.group ? { chat: this.options.group } : {}),
      ...(replyToMessageId ? { replyToMessageId } : {}),
    });
  }

  /** Sends `text` and waits for the bot's first new message matching `match` (any, by default). */
  async send(text: string, match: (m: ChatMessage) => boolean = anyMessage, timeoutMs?: number): Promise<ChatMessage> {
    const after = this.lastId();
    this.say(text);
    return this.next(after, match, timeoutMs);
  }

  /** Sends `text` as a reply to `to` (a prompt that wants an answer) and waits like `send`. */
  async reply(
    to: ChatMessage,
    text: string,
    match: (m: ChatMessage) => boolean = anyMessage,
    timeoutMs?: number,
  ): Promise<ChatMessage> {
    const after = this.lastId();
    this.say(text, to.messageId);
    return this.next(after, match, timeoutMs);
  }

  /** Sends a photo (random bytes unless `input` says otherwise) and does not wait. */
  sendPhoto(input: Omit<SendPhotoInput, 'from' | 'chat'> = {}): ReturnType<TelegramEmulator['sendPhoto']> {
    return this.emu.sendPhoto(this.bot.id, {
      from: this.user,
      ...(this.options.group ? { chat: this.options.group } : {}),
      ...input,
    });
  }

  /** The callback data of the first button under `m` starting with `prefix`; fails naming the message without one. */
  data(m: ChatMessage, prefix: string): string {
    const data = buttonData(m, prefix);
    if (!data) throw new Error(`no ${prefix} button under: ${textOf(m)}\n${JSON.stringify(buttonsOf(m))}`);
    return data;
  }

  /**
   * Presses the button under `m` whose data is `data`, or else the first whose data starts with it, and does not
   * wait. A forged press sends `data` as it is, as a modified client could, whether or not a button carries it.
   */
  press(m: ChatMessage, data: string, { forged = false }: { forged?: boolean } = {}): PressButtonResult {
    const exact = forged || buttonsOf(m).some((b) => b.callback_data === data);
    return this.emu.pressButton(this.bot.id, {
      from: this.user,
      messageId: m.messageId,
      data: exact ? data : this.data(m, data),
      ...(this.options.group ? { chatId: this.options.group.id } : {}),
      ...(forged ? { forged } : {}),
    });
  }

  /** Presses like `press` and waits for the answer to the callback query. */
  tap(m: ChatMessage, data: string, options: { forged?: boolean } = {}): Promise<CallbackAnswerRecord> {
    const { callbackQueryId } = this.press(m, data, options);
    return this.emu.waitForCallbackAnswer(this.bot.id, callbackQueryId, this.timeoutMs);
  }

  /**
   * /buy → a plan → the payment screen offering `method` (a button whose data starts with it), which it returns.
   * The plan is the first one offered, or the first whose label contains `planLabel`.
   */
  async buy(method: string, planLabel?: string): Promise<ChatMessage> {
    const after = this.lastId();
    const plans = await this.send('/buy', withButton(PLAN));
    const plan = planLabel
      ? buttonsOf(plans).find((b) => b.text.includes(planLabel) && b.callback_data?.startsWith(PLAN))?.callback_data
      : buttonData(plans, PLAN);
    if (!plan) throw new Error(`no plan ${planLabel ?? ''} under: ${textOf(plans)}`);
    this.press(plans, plan);
    return this.next(after, withButton(method));
  }

  /** The card-payment walk: /buy → a plan → card to card → the card screen with its tracking number (C2C-…). */
  async buyByCard(planLabel?: string): Promise<ChatMessage> {
    const after = this.lastId();
    const methods = await this.buy(CARD, planLabel);
    this.press(methods, CARD);
    return this.next(after, has('C2C-'));
  }

  /** The wallet walk: /buy → a plan → pay from the wallet → the subscription link (a photo with its QR). */
  async buyFromWallet(planLabel?: string, timeoutMs = 30_000): Promise<ChatMessage> {
    const after = this.lastId();
    this.press(await this.buy(WALLET, planLabel), WALLET);
    return this.next(after, (m) => m.method === 'sendPhoto', timeoutMs);
  }

  /** A photo receipt sent after a card screen: waits for this chat's "under review" and returns it. */
  async submitReceipt(): Promise<ChatMessage> {
    const after = this.lastId();
    this.sendPhoto();
    return this.next(after, has('under review'));
  }

  /** `submitReceipt`, then returns the new review (a photo with Approve) in `admins`, the admin chat. */
  async sendReceipt(admins: BotChat): Promise<ChatMessage> {
    const reviewsBefore = admins.lastId();
    await this.submitReceipt();
    return admins.next(reviewsBefore, (m) => withButton(APPROVE)(m) && m.method === 'sendPhoto');
  }

  /** Pays the Stars invoice `invoice` as this user (pre-checkout, then successful_payment if the bot agrees). */
  payInvoice(invoice: ChatMessage, timeoutMs = 10_000): Promise<PayInvoiceResult> {
    return this.emu.payInvoice(this.bot.id, {
      from: this.user,
      invoiceMessageId: invoice.messageId,
      timeoutMs,
      ...(this.options.group ? { chat: this.options.group } : {}),
    });
  }

  /** Telegram delivers a successful_payment for `invoice` with the charge id given again (a replay), no wait. */
  replayPayment(
    invoice: ChatMessage,
    telegramPaymentChargeId: string,
  ): ReturnType<TelegramEmulator['sendSuccessfulPayment']> {
    return this.emu.sendSuccessfulPayment(this.bot.id, {
      from: this.user,
      invoiceMessageId: invoice.messageId,
      telegramPaymentChargeId,
      ...(this.options.group ? { chat: this.options.group } : {}),
    });
  }

  /** Telegram refunds this user's Stars charge itself and tells the bot (refunded_payment), no wait. */
  refunded(telegramPaymentChargeId: string): ReturnType<TelegramEmulator['sendRefundedPayment']> {
    return this.emu.sendRefundedPayment(this.bot.id, {
      from: this.user,
      telegramPaymentChargeId,
      ...(this.options.group ? { chat: this.options.group } : {}),
    });
  }
}
