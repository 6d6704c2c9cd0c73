import { Injectable } from '@nestjs/common';
import { Routes } from '../composition/routes';
import { cheapestWholesaleCost, isWholesaleWalletLow, WholesaleWalletService } from '@botfleet/billing';
import { AdminAccessService, AdminPermission, AdminRole, ConsoleLinksService, roleAllows } from '@botfleet/bots';
import {
  AUDIENCE_SEGMENTS,
  AudienceSegment,
  BroadcastAudience,
  BroadcastsService,
  BroadcastView,
  checkBroadcastContent,
} from '@botfleet/broadcasts';
import {
  ConfigurationsService,
  Language,
  Localized,
  MAX_MINOR,
  parseTypedPlanPrice,
  PaymentCardsService,
  PlansService,
  PlanView,
} from '@botfleet/catalog';
import { Actor, Actors, DomainError, ErrorCode } from '@botfleet/common';
import {
  BotStatsService,
  CustomersService,
  parseBalanceAdjustment,
  ResendSubscriptionLinkUseCase,
} from '@botfleet/customers';
import { CardPaymentEntity, TenantDb, UserEntity } from '@botfleet/dal';
import { RefundOrderUseCase, wholesaleKeptOnRefund } from '@botfleet/payments';
import { SubscriptionViewsService } from '@botfleet/provisioning';
import { CloseTicketUseCase, ReplyToTicketUseCase, SupportQueries, TICKET_MESSAGE_MAX } from '@botfleet/support';
import {
  ApproveReceiptUseCase,
  awaitsReview,
  RejectReceiptUseCase,
  SalesQueries,
  TRACKING_NUMBER_PATTERN,
} from '@botfleet/sales';
import type { BotContext, Screen } from '../context/bot-context';
import { replyForError, ReplyOverrides } from '../errors/reply-for';
import { translate } from '../i18n/translate';
import { formatMoney, localizedName } from '../sales/sale-format';
import { helpScreen } from '../screens/screens';
import { BotProfileService } from '../profile/bot-profile.service';
import { REJECTION_PRESETS } from '../sales/sale-screens';
import { entitiesToHtml, hasFormatting, TextEntity } from '../text/entities-to-html';
import { storableText } from '../text/sanitize';
import { AdminCallback, parseAdminCallback, ShopTextKind } from './admin-callbacks';
import {
  ADMIN_PAGE_SIZE,
  adjustConfirmScreen,
  adminHelpLines,
  adminHomeScreen,
  approveConfirmScreen,
  blockConfirmScreen,
  refundConfirmScreen,
  BROADCASTS_LISTED,
  broadcastAudienceScreen,
  broadcastLanguageScreen,
  broadcastScreen,
  broadcastsScreen,
  cardScreen,
  cardsScreen,
  cardToggleConfirmScreen,
  CustomerCard,
  customerScreen,
  dashboardScreen,
  lookupResultsScreen,
  planScreen,
  plansScreen,
  planToggleConfirmScreen,
  priceConfirmScreen,
  ReceiptCard,
  receiptScreen,
  rejectReasonsScreen,
  SHOP_TEXT_MAX,
  textPreviewScreen,
  textPromptText,
  textsScreen,
  adminTicketScreen,
  ticketCloseConfirmScreen,
  TICKET_MESSAGES_SHOWN,
  TICKETS_PAGE_SIZE,
  ticketsScreen,
} from './admin-screens';
import { AdminState } from './admin-state';
import { consoleLinkScreen, isConsoleLinkCallback } from './console-link';

/** The commands of the sections (each also a button of the admin menu). */
const SECTION_COMMANDS = {
  admin: 'home',
  stats: 'dashboard',
  receipts: 'receipts',
  find: 'lookup',
  plans: 'plans',
  cards: 'cards',
  texts: 'texts',
  broadcast: 'broadcasts',
  tickets: 'tickets',
} as const;
type Section = (typeof SECTION_COMMANDS)[keyof typeof SECTION_COMMANDS];

const SECTION_PERMISSION: Record<Exclude<Section, 'home'>, AdminPermission> = {
  dashboard: 'dashboard',
  receipts: 'receipts',
  lookup: 'lookup',
  plans: 'plans',
  cards: 'cards',
  texts: 'texts',
  broadcasts: 'broadcasts',
  tickets: 'tickets',
};

/** What each tap needs; `home` only needs to be an admin of the bot. */
const CALLBACK_PERMISSION: Record<AdminCallback['kind'], AdminPermission | null> = {
  home: null,
  dashboard: 'dashboard',
  receipts: 'receipts',
  receiptPhoto: 'receipts',
  approveAsk: 'receipts',
  approve: 'receipts',
  rejectAsk: 'receipts',
  reject: 'receipts',
  lookup: 'lookup',
  lookupPage: 'lookup',
  user: 'lookup',
  blockAsk: 'users',
  block: 'users',
  resend: 'users',
  refundAsk: 'receipts',
  refund: 'receipts',
  adjustAsk: 'wallet',
  adjust: 'wallet',
  plans: 'plans',
  plan: 'plans',
  planToggleAsk: 'plans',
  planToggle: 'plans',
  priceAsk: 'plans',
  price: 'plans',
  cards: 'cards',
  card: 'cards',
  cardToggleAsk: 'cards',
  cardToggle: 'cards',
  texts: 'texts',
  textAsk: 'texts',
  textSave: 'texts',
  broadcasts: 'broadcasts',
  broadcastNew: 'broadcasts',
  broadcastAudience: 'broadcasts',
  broadcastLanguages: 'broadcasts',
  broadcastLanguage: 'broadcasts',
  broadcastSegments: 'broadcasts',
  broadcast: 'broadcasts',
  broadcastStart: 'broadcasts',
  broadcastCancel: 'broadcasts',
  tickets: 'tickets',
  ticket: 'tickets',
  ticketAnswerAsk: 'tickets',
  ticketCloseAsk: 'tickets',
  ticketClose: 'tickets',
};

const OVERRIDES: ReplyOverrides = {
  [ErrorCode.FORBIDDEN]: 'admin.forbidden',
  [ErrorCode.ALREADY_REFUNDED]: 'admin.refund.already',
};

/** A ticket's answer or close refused by the domain, said the way the admin chat says it. */
const TICKET_OVERRIDES: ReplyOverrides = {
  ...OVERRIDES,
  [ErrorCode.FORBIDDEN]: 'ticketAdmin.onlyAdmins',
  [ErrorCode.CONFLICT]: 'ticket.isClosed',
};

/**
 * A broadcast's message as the bot's HTML: formatted with Telegram's own tools (bold, a link…), its text and
 * entities converted; otherwise the text as typed, read as HTML. Telegram adds url/mention/hashtag entities by
 * itself to typed text, so only formatting entities mean the admin used the tools.
 */
function broadcastHtml(text: string, entities: readonly TextEntity[] | undefined): string {
  return (hasFormatting(entities) ? entitiesToHtml(text, entities) : text).trim();
}

/**
 * `/admin` in the tenant's own bot, for its admins only (README "Running your shop from Telegram"): a
 * dashboard, receipts to review, customer lookup with block / balance adjustment / resend, plans, payment
 * cards and the shop's texts. Everyone else gets the customer conversation, with no sign that /admin exists.
 * The role is read again on every command, tap and typed value, and the use cases check it once more in the
 * domain (Actors.botAdmin); ids from callback data are looked up inside this bot. Typed values (a lookup, an
 * amount, a price, a text) wait in AdminState; every change is confirmed with a button first.
 */
@Injectable()
export class AdminHandler {
  readonly composer: Routes;

  constructor(
    private readonly db: TenantDb,
    private readonly access: AdminAccessService,
    private readonly state: AdminState,
    private readonly stats: BotStatsService,
    private readonly customers: CustomersService,
    private readonly wallet: WholesaleWalletService,
    private readonly queries: SalesQueries,
    private readonly approveReceipt: ApproveReceiptUseCase,
    private readonly rejectReceipt: RejectReceiptUseCase,
    private readonly plans: PlansService,
    private readonly cards: PaymentCardsService,
    private readonly configurations: ConfigurationsService,
    private readonly subscriptions: SubscriptionViewsService,
    private readonly profiles: BotProfileService,
    private readonly consoleLinks: ConsoleLinksService,
    private readonly broadcasts: BroadcastsService,
    private readonly refundOrder: RefundOrderUseCase,
    private readonly tickets: SupportQueries,
    private readonly replyToTicket: ReplyToTicketUseCase,
    private readonly closeTicket: CloseTicketUseCase,
    private readonly resendLink: ResendSubscriptionLinkUseCase,
  ) {
    const c = new Routes();
    for (const [command, section] of Object.entries(SECTION_COMMANDS)) {
      c.command(command, (ctx, next) => this.onCommand(ctx, section, next));
    }
    c.command('help', (ctx, next) => this.onHelp(ctx, next));
    c.action(/^ad:/, (ctx) => this.onCallback(ctx));
    c.action(/^wc:/, (ctx) => this.onConsoleLink(ctx));
    c.on('text', (ctx, next) => this.onText(ctx, next));
    c.on('photo', (ctx, next) => this.onPhoto(ctx, next));
    this.composer = c;
  }

  // ---------- entry points ----------

  /** The sender's role in this bot, read from the database (the profile's admin ids only rule out the others). */
  private async roleOf(ctx: BotContext): Promise<AdminRole | null> {
    const id = ctx.from?.id;
    if (id === undefined || !mayBeAdmin(ctx)) return null;
    return this.access.roleOf(ctx.botId, id);
  }

  private actor(ctx: BotContext): Actor {
    return Actors.botAdmin(ctx.from!.id, ctx.from!.username);
  }

  private async onCommand(ctx: BotContext, section: Section, next: () => Promise<void>): Promise<void> {
    const role = await this.roleOf(ctx);
    if (!role) return next();
    await this.state.clear(ctx.botId, ctx.from!.id);
    if (section !== 'home' && !roleAllows(role, SECTION_PERMISSION[section])) {
      ctx.say(ctx.t('admin.forbidden'));
      return;
    }
    const arg = commandArgument(ctx);
    if (section === 'lookup' && arg) return this.lookup(ctx, arg);
    return this.openSection(ctx, role, section);
  }

  private async onHelp(ctx: BotContext, next: () => Promise<void>): Promise<void> {
    const role = await this.roleOf(ctx);
    if (!role) return next();
    const help = helpScreen(ctx.profile, ctx.lang);
    ctx.show({ ...help, text: [help.text, ...adminHelpLines(ctx.lang, role)].join('\n') });
  }

  private async openSection(ctx: BotContext, role: AdminRole, section: Section): Promise<void> {
    switch (section) {
      case 'home':
        return ctx.show(adminHomeScreen(ctx.lang, ctx.profile.name, role));
      case 'dashboard':
        return ctx.show(await this.dashboard(ctx, role));
      case 'receipts':
        return this.showReceipt(ctx, 1);
      case 'lookup':
        return this.ask(ctx, { step: 'lookup' }, ctx.t('admin.lookup.prompt'));
      case 'plans':
        return ctx.show(plansScreen(ctx.lang, await this.plans.list(ctx.botId), 1));
      case 'cards':
        return ctx.show(cardsScreen(ctx.lang, await this.cards.list(ctx.botId), 1));
      case 'texts':
        return ctx.show(textsScreen(ctx.lang, ctx.profile.languages));
      case 'broadcasts':
        return ctx.show(await this.broadcastList(ctx));
      case 'tickets':
        return this.showTickets(ctx, 1);
    }
  }

  /** "Open the web console": a one-time sign-in link for this admin of this bot, in a new message. */
  private async onConsoleLink(ctx: BotContext): Promise<void> {
    const q = ctx.callbackQuery;
    const role = await this.roleOf(ctx);
    const data = q && 'data' in q ? q.data : undefined;
    // The master bot's operators get theirs from MasterConsole (a master session, not one of its bot row).
    if (!role || ctx.profile.isMaster || ctx.chat?.type !== 'private' || !isConsoleLinkCallback(data)) {
      return ctx.answerCallback(ctx.t('common.unavailable'));
    }
    const link = await this.consoleLinks.issueForAdmin(ctx.botId, ctx.from!.id);
    ctx.answerCallback();
    const screen = consoleLinkScreen(ctx.lang, link.url, (link.expiresAt.getTime() - Date.now()) / 1000);
    ctx.say(screen.text, screen.keyboard?.length ? { reply_markup: { inline_keyboard: screen.keyboard } } : {});
  }

  private async onCallback(ctx: BotContext): Promise<void> {
    const q = ctx.callbackQuery;
    const parsed = parseAdminCallback(q && 'data' in q ? q.data : undefined);
    const role = await this.roleOf(ctx);
    if (!parsed || !role || ctx.chat?.type !== 'private') return ctx.answerCallback(ctx.t('common.unavailable'));
    const needs = CALLBACK_PERMISSION[parsed.kind];
    if (needs && !roleAllows(role, needs)) return ctx.answerCallback(ctx.t('admin.forbidden'), true);
    await this.state.clear(ctx.botId, ctx.from!.id);
    try {
      await this.handle(ctx, role, parsed);
    } catch (e) {
      if (!DomainError.is(e)) throw e;
      const overrides = parsed.kind.startsWith('ticket') ? TICKET_OVERRIDES : OVERRIDES;
      ctx.answerCallback(ctx.t(replyForError(e, overrides)), true);
    }
  }

  private async handle(ctx: BotContext, role: AdminRole, cb: AdminCallback): Promise<void> {
    const lang = ctx.lang;
    switch (cb.kind) {
      case 'home':
        ctx.answerCallback();
        return ctx.show(adminHomeScreen(lang, ctx.profile.name, role));
      case 'dashboard':
        ctx.answerCallback();
        return ctx.show(await this.dashboard(ctx, role));
      case 'receipts':
        ctx.answerCallback();
        return this.showReceipt(ctx, cb.n);
      case 'receiptPhoto': {
        const payment = await this.receiptPayment(ctx, cb.paymentId);
        if (!payment?.receiptFileId) return ctx.answerCallback(ctx.t('review.notFound'), true);
        ctx.answerCallback();
        ctx.outbox.add('sendPhoto', { chat_id: ctx.chat!.id, photo: payment.receiptFileId });
        return;
      }
      case 'approveAsk':
      case 'rejectAsk': {
        const card = await this.receiptCard(ctx, cb.paymentId);
        if (!card) return ctx.answerCallback(ctx.t('review.already'), true);
        ctx.answerCallback();
        const n = await this.receiptPosition(ctx, cb.paymentId);
        return ctx.show(
          cb.kind === 'approveAsk' ? approveConfirmScreen(lang, card, n) : rejectReasonsScreen(lang, card, n),
        );
      }
      case 'approve':
      case 'reject': {
        const payment = await this.receiptPayment(ctx, cb.paymentId);
        if (!payment) return ctx.answerCallback(ctx.t('review.notFound'), true);
        const key = cb.kind === 'reject' ? REJECTION_PRESETS[cb.preset] : undefined;
        if (cb.kind === 'reject' && !key) return ctx.answerCallback(ctx.t('common.unavailable'));
        const actor = this.actor(ctx);
        await this.db.atomic(ctx.botId, () =>
          cb.kind === 'approve'
            ? this.approveReceipt.execute({ botId: ctx.botId, paymentId: payment.id, actor })
            : // The customer reads the reason in the bot's language, like a review in the admin chat.
              this.rejectReceipt.execute({
                botId: ctx.botId,
                paymentId: payment.id,
                actor,
                reason: ctx.t(key!),
              }),
        );
        ctx.answerCallback(ctx.t('admin.done'));
        return this.showReceipt(ctx, 1);
      }
      case 'lookup':
        ctx.answerCallback();
        return this.ask(ctx, { step: 'lookup' }, ctx.t('admin.lookup.prompt'));
      case 'lookupPage': {
        const query = await this.state.lastQuery(ctx.botId, ctx.from!.id);
        if (!query) return ctx.answerCallback(ctx.t('admin.expired'), true);
        ctx.answerCallback();
        return this.showMatches(ctx, query, cb.page);
      }
      case 'user': {
        const card = await this.customerCard(ctx, cb.userId);
        ctx.answerCallback();
        return ctx.show(this.customerScreen(ctx, role, card));
      }
      case 'blockAsk': {
        const card = await this.customerCard(ctx, cb.userId);
        ctx.answerCallback();
        return ctx.show(blockConfirmScreen(lang, card, cb.blocked));
      }
      case 'block': {
        await this.db.atomic(ctx.botId, () =>
          this.customers.setStatus(ctx.botId, cb.userId, cb.blocked ? 'blocked' : 'active', this.actor(ctx)),
        );
        ctx.answerCallback(ctx.t('admin.done'));
        return ctx.show(this.customerScreen(ctx, role, await this.customerCard(ctx, cb.userId)));
      }
      case 'resend':
        return this.resend(ctx, cb.userId);
      case 'refundAsk': {
        const order = await this.queries.order(ctx.botId, cb.orderId);
        if (!order) return ctx.answerCallback(ctx.t('common.unavailable'), true);
        const card = await this.customerCard(ctx, order.userId);
        const line = card.orders.find((o) => o.id === order.id) ?? {
          id: order.id,
          createdAt: order.createdAt,
          planName: null,
          amountMinor: order.amountMinor,
          status: order.status,
          refundable: this.refundOrder.refundable(order),
        };
        if (!line.refundable) {
          const already = order.status === 'refunded' ? 'admin.refund.already' : 'common.unavailable';
          return ctx.answerCallback(ctx.t(already), true);
        }
        ctx.answerCallback();
        const kept = wholesaleKeptOnRefund(order) ? order.wholesaleMinor : null;
        return ctx.show(refundConfirmScreen(lang, card, line, kept, roleAllows(role, 'wallet')));
      }
      case 'refund': {
        const { order } = await this.db.atomic(ctx.botId, () =>
          this.refundOrder.execute({
            botId: ctx.botId,
            orderId: cb.orderId,
            to: cb.to,
            reason: 'Refunded in the bot (/admin)',
            actor: this.actor(ctx),
          }),
        );
        ctx.answerCallback(ctx.t('admin.done'));
        return ctx.show(this.customerScreen(ctx, role, await this.customerCard(ctx, order.userId)));
      }
      case 'adjustAsk': {
        await this.customerCard(ctx, cb.userId);
        ctx.answerCallback();
        const currency = await this.queries.currency(ctx.botId);
        return this.ask(ctx, { step: 'adjust', userId: cb.userId }, ctx.t('admin.adjust.prompt', { currency }));
      }
      case 'adjust':
        return this.adjust(ctx, role, cb.draft);
      case 'plans':
        ctx.answerCallback();
        return ctx.show(plansScreen(lang, await this.plans.list(ctx.botId), cb.page));
      case 'plan':
        ctx.answerCallback();
        return ctx.show(planScreen(lang, await this.plans.get(ctx.botId, cb.planId)));
      case 'planToggleAsk':
        ctx.answerCallback();
        return ctx.show(planToggleConfirmScreen(lang, await this.plans.get(ctx.botId, cb.planId), cb.on));
      case 'planToggle': {
        const plan = await this.db.atomic(ctx.botId, () =>
          this.plans.update(ctx.botId, cb.planId, { isActive: cb.on }, this.actor(ctx)),
        );
        ctx.answerCallback(ctx.t('admin.done'));
        return ctx.show(planScreen(lang, plan));
      }
      case 'priceAsk': {
        const plan = await this.plans.get(ctx.botId, cb.planId);
        ctx.answerCallback();
        return this.ask(ctx, { step: 'price', planId: plan.id }, pricePrompt(lang, plan));
      }
      case 'price': {
        const plan = await this.db.atomic(ctx.botId, () =>
          this.plans.update(ctx.botId, cb.planId, { priceMinor: cb.priceMinor }, this.actor(ctx)),
        );
        ctx.answerCallback(ctx.t('admin.done'));
        return ctx.show(planScreen(lang, plan));
      }
      case 'cards':
        ctx.answerCallback();
        return ctx.show(cardsScreen(lang, await this.cards.list(ctx.botId), cb.page));
      case 'card':
        ctx.answerCallback();
        return ctx.show(cardScreen(lang, await this.cards.get(ctx.botId, cb.cardId)));
      case 'cardToggleAsk':
        ctx.answerCallback();
        return ctx.show(cardToggleConfirmScreen(lang, await this.cards.get(ctx.botId, cb.cardId), cb.on));
      case 'cardToggle': {
        const card = await this.db.atomic(ctx.botId, () =>
          this.cards.update(ctx.botId, cb.cardId, { isActive: cb.on }, this.actor(ctx)),
        );
        ctx.answerCallback(ctx.t('admin.done'));
        return ctx.show(cardScreen(lang, card));
      }
      case 'texts':
        ctx.answerCallback();
        return ctx.show(textsScreen(lang, ctx.profile.languages));
      case 'textAsk':
        if (!ctx.profile.languages.includes(cb.lang)) return ctx.answerCallback(ctx.t('common.unavailable'));
        ctx.answerCallback();
        return this.ask(ctx, { step: 'text', text: cb.text, lang: cb.lang }, textPromptText(lang, cb.text, cb.lang));
      case 'textSave':
        return this.saveText(ctx, cb.draft);
      case 'broadcasts':
        ctx.answerCallback();
        return ctx.show(await this.broadcastList(ctx));
      case 'broadcastNew':
        ctx.answerCallback();
        return this.ask(ctx, { step: 'broadcast' }, ctx.t('admin.bc.prompt'));
      case 'broadcastAudience':
        return this.createBroadcast(ctx, cb.draft, { segment: cb.segment });
      case 'broadcastLanguages':
      case 'broadcastSegments':
        return this.chooseAudience(ctx, cb.draft, cb.kind === 'broadcastLanguages' ? 'language' : 'segment');
      case 'broadcastLanguage':
        if (!ctx.profile.languages.includes(cb.language)) return ctx.answerCallback(ctx.t('common.unavailable'));
        return this.createBroadcast(ctx, cb.draft, { segment: 'all', language: cb.language });
      case 'broadcast':
        ctx.answerCallback();
        return ctx.show(await this.broadcastScreen(ctx, await this.broadcasts.get(ctx.botId, cb.broadcastId)));
      case 'broadcastStart':
      case 'broadcastCancel':
        return this.changeBroadcast(ctx, cb.kind === 'broadcastStart' ? 'start' : 'cancel', cb.broadcastId);
      case 'tickets':
        ctx.answerCallback();
        return this.showTickets(ctx, cb.page);
      case 'ticket':
        ctx.answerCallback();
        return this.showTicket(ctx, cb.ticketId);
      case 'ticketAnswerAsk': {
        const ticket = await this.tickets.get(ctx.botId, cb.ticketId);
        if (ticket.status === 'closed') return ctx.answerCallback(ctx.t('ticket.isClosed'), true);
        ctx.answerCallback();
        const prompt = ctx.t('admin.ticket.answerPrompt', { number: ticket.number, max: TICKET_MESSAGE_MAX });
        return this.ask(ctx, { step: 'ticketAnswer', ticketId: ticket.id }, prompt);
      }
      case 'ticketCloseAsk': {
        const ticket = await this.tickets.get(ctx.botId, cb.ticketId);
        if (ticket.status === 'closed') return ctx.answerCallback(ctx.t('ticket.isClosed'), true);
        ctx.answerCallback();
        return ctx.show(ticketCloseConfirmScreen(lang, ticket));
      }
      case 'ticketClose': {
        // One conditional update in the use case: a second tap is told CONFLICT ("closed already").
        await this.db.atomic(ctx.botId, () =>
          this.closeTicket.execute({
            botId: ctx.botId,
            ticketId: cb.ticketId,
            by: { kind: 'admin', actor: this.actor(ctx) },
          }),
        );
        ctx.answerCallback(ctx.t('admin.done'));
        return this.showTicket(ctx, cb.ticketId);
      }
    }
  }

  /** A typed value for the step the admin is in (lookup, amount, price, text); anything else passes on. */
  private async onText(ctx: BotContext, next: () => Promise<void>): Promise<void> {
    const msg = ctx.message;
    const from = ctx.from;
    if (!msg || !('text' in msg) || !from) return next();
    if (!mayBeAdmin(ctx)) return next();
    const awaiting = await this.state.awaiting(ctx.botId, from.id);
    if (!awaiting) return next();
    if (msg.text.startsWith('/')) {
      await this.state.clear(ctx.botId, from.id);
      return next();
    }
    const role = await this.roleOf(ctx);
    if (!role) {
      await this.state.clear(ctx.botId, from.id);
      return next();
    }
    const text = storableText(msg.text).trim();
    try {
      switch (awaiting.step) {
        case 'lookup':
          if (!roleAllows(role, 'lookup')) return ctx.say(ctx.t('admin.forbidden'));
          await this.state.clear(ctx.botId, from.id);
          return await this.lookup(ctx, text);
        case 'adjust':
          if (!roleAllows(role, 'wallet')) return ctx.say(ctx.t('admin.forbidden'));
          return await this.typedAdjustment(ctx, awaiting.userId, text);
        case 'price':
          if (!roleAllows(role, 'plans')) return ctx.say(ctx.t('admin.forbidden'));
          return await this.typedPrice(ctx, awaiting.planId, text);
        case 'text':
          if (!roleAllows(role, 'texts')) return ctx.say(ctx.t('admin.forbidden'));
          return await this.typedShopText(ctx, awaiting.text, awaiting.lang, text);
        case 'broadcast':
          if (!roleAllows(role, 'broadcasts')) return ctx.say(ctx.t('admin.forbidden'));
          // The domain check refuses what Telegram would (control characters…) and says so.
          return await this.typedBroadcast(ctx, broadcastHtml(msg.text, msg.entities), null);
        case 'ticketAnswer':
          if (!roleAllows(role, 'tickets')) return ctx.say(ctx.t('admin.forbidden'));
          return await this.typedTicketAnswer(ctx, awaiting.ticketId, msg.text, msg.message_id);
      }
    } catch (e) {
      if (!DomainError.is(e)) throw e;
      ctx.say(ctx.t(replyForError(e, awaiting.step === 'ticketAnswer' ? TICKET_OVERRIDES : OVERRIDES)));
    }
  }

  /** A photo for the step that waits for a broadcast's message (its caption is the text); anything else passes on. */
  private async onPhoto(ctx: BotContext, next: () => Promise<void>): Promise<void> {
    const msg = ctx.message;
    const from = ctx.from;
    if (!msg || !('photo' in msg) || !from || !mayBeAdmin(ctx)) return next();
    const awaiting = await this.state.awaiting(ctx.botId, from.id);
    if (awaiting?.step !== 'broadcast') return next();
    const role = await this.roleOf(ctx);
    if (!role || !roleAllows(role, 'broadcasts')) {
      await this.state.clear(ctx.botId, from.id);
      return next();
    }
    // The largest size: Telegram lists a photo's sizes smallest first; its file_id is the broadcast's photo.
    const photo = msg.photo[msg.photo.length - 1]?.file_id;
    if (!photo) return next();
    await this.typedBroadcast(ctx, broadcastHtml(msg.caption ?? '', msg.caption_entities), photo);
  }

  // ---------- sections ----------

  private async dashboard(ctx: BotContext, role: AdminRole): Promise<Screen> {
    const [{ today: day, month }, pending] = await Promise.all([
      this.stats.todayAndMonth(ctx.botId),
      this.pendingReceipts(ctx, 1),
    ]);
    let wallet;
    if (roleAllows(role, 'wallet')) {
      const w = await this.wallet.wallet(ctx.botId);
      const plans = await this.plans.list(ctx.botId, { activeOnly: true });
      const low = isWholesaleWalletLow(w.availableMinor, cheapestWholesaleCost(w.wholesalePrice, plans));
      wallet = { freeMinor: w.availableMinor, heldMinor: w.heldMinor, low, currency: w.currency };
    }
    return dashboardScreen(ctx.lang, {
      currency: day.currency,
      today: day.totals,
      month: month.totals,
      activeSubscriptions: day.totals.activeSubscriptions,
      pendingReceipts: pending.total,
      wallet,
    });
  }

  /** Card payments whose receipt waits for review, newest first, one per page. */
  private pendingReceipts(ctx: BotContext, n: number) {
    return this.customers.listCardPayments(ctx.botId, { status: 'pending', page: n, pageSize: 1 });
  }

  private async showReceipt(ctx: BotContext, n: number): Promise<void> {
    let page = await this.pendingReceipts(ctx, n);
    if (!page.items.length && n > 1) {
      n = Math.max(1, page.total);
      page = await this.pendingReceipts(ctx, n);
    }
    const payment = page.items[0];
    ctx.show(receiptScreen(ctx.lang, payment ? await this.toReceiptCard(ctx, payment) : null, n, page.total));
  }

  private async receiptPosition(ctx: BotContext, paymentId: string): Promise<number> {
    const all = await this.customers.listCardPayments(ctx.botId, { status: 'pending', page: 1, pageSize: 100 });
    const i = all.items.findIndex((p) => p.id === paymentId);
    return i < 0 ? 1 : i + 1;
  }

  private async receiptPayment(ctx: BotContext, paymentId: string): Promise<CardPaymentEntity | null> {
    return this.queries.cardPayment(ctx.botId, paymentId);
  }

  private async receiptCard(ctx: BotContext, paymentId: string): Promise<ReceiptCard | null> {
    const payment = await this.receiptPayment(ctx, paymentId);
    return payment && awaitsReview(payment) ? this.toReceiptCard(ctx, payment) : null;
  }

  private async toReceiptCard(ctx: BotContext, payment: CardPaymentEntity): Promise<ReceiptCard> {
    const subject = await this.queries.reviewSubject(ctx.botId, payment);
    return {
      paymentId: payment.id,
      trackingNumber: payment.trackingNumber,
      amountMinor: payment.amountMinor,
      currency: subject.order?.currency ?? (await this.queries.currency(ctx.botId)),
      userName: subject.user ? nameOf(subject.user) : '',
      userTelegramId: subject.user?.telegramId ?? null,
      planName: subject.plan?.name ?? null,
      receiptText: payment.receiptType === 'text' ? payment.receiptText : null,
      hasPhoto: payment.receiptType === 'photo' && !!payment.receiptFileId,
    };
  }

  /** A Telegram id, @username or tracking number → the customer's card; a name → a list to choose from. */
  private async lookup(ctx: BotContext, query: string): Promise<void> {
    const q = query.trim().slice(0, 64);
    const tracking = TRACKING_NUMBER_PATTERN.exec(q.toUpperCase())?.[0];
    if (tracking) {
      const payment = await this.queries.cardPaymentByTracking(ctx.botId, tracking);
      if (payment) return this.showCustomer(ctx, payment.userId);
    }
    const page = await this.customers.listUsers(ctx.botId, { search: q, page: 1, pageSize: ADMIN_PAGE_SIZE });
    const bare = q.replace(/^@/, '').toLowerCase();
    const exact = page.items.find((u) => String(u.telegramId) === q || (u.username ?? '').toLowerCase() === bare);
    if (exact) return this.showCustomer(ctx, exact.id);
    if (page.total === 1) return this.showCustomer(ctx, page.items[0].id);
    await this.state.rememberQuery(ctx.botId, ctx.from!.id, q);
    return this.showMatches(ctx, q, 1);
  }

  private async showMatches(ctx: BotContext, query: string, n: number): Promise<void> {
    const page = await this.customers.listUsers(ctx.botId, { search: query, page: n, pageSize: ADMIN_PAGE_SIZE });
    const users = page.items.map((u) => ({
      id: u.id,
      telegramId: u.telegramId,
      name: nameOf(u),
      username: u.username,
    }));
    ctx.show(lookupResultsScreen(ctx.lang, query, users, page.total, n));
  }

  private async showCustomer(ctx: BotContext, userId: string): Promise<void> {
    const role = await this.roleOf(ctx);
    if (!role) return;
    ctx.show(this.customerScreen(ctx, role, await this.customerCard(ctx, userId)));
  }

  private customerScreen(ctx: BotContext, role: AdminRole, card: CustomerCard): Screen {
    return customerScreen(ctx.lang, card, {
      users: roleAllows(role, 'users'),
      wallet: roleAllows(role, 'wallet'),
      refunds: roleAllows(role, 'receipts'),
    });
  }

  /** NOT_FOUND for an id that is not a customer of this bot. */
  private async customerCard(ctx: BotContext, userId: string): Promise<CustomerCard> {
    const user = await this.customers.getUser(ctx.botId, userId);
    const [subs, orders, plans, currency, referrer] = await Promise.all([
      this.subscriptions.listForUser(ctx.botId, user.id),
      this.customers.listOrders(ctx.botId, { userId: user.id, page: 1, pageSize: 5 }),
      this.plans.list(ctx.botId),
      this.queries.currency(ctx.botId),
      user.referrerId ? this.customers.getUser(ctx.botId, user.referrerId).catch(() => null) : null,
    ]);
    const planNames = new Map<string, Localized>(plans.map((p) => [p.id, p.name]));
    return {
      id: user.id,
      telegramId: user.telegramId,
      name: nameOf(user),
      username: user.username,
      joinedAt: user.createdAt,
      blocked: user.status === 'blocked',
      balanceMinor: user.balanceMinor,
      currency,
      referrer: referrer ? `${nameOf(referrer) || referrer.telegramId} (${referrer.telegramId})` : null,
      subscriptions: subs,
      orders: orders.items.map((o) => ({
        id: o.id,
        refundable: this.refundOrder.refundable(o),
        createdAt: o.createdAt,
        planName: planNames.get(o.planId) ?? null,
        amountMinor: o.amountMinor,
        status: o.status,
      })),
    };
  }

  /** The customer's active subscription links, sent to them again by the worker (the use case the API calls too). */
  private async resend(ctx: BotContext, userId: string): Promise<void> {
    const user = await this.customers.getUser(ctx.botId, userId);
    const sent = await this.resendLink.forUser({ botId: ctx.botId, userId: user.id, actor: this.actor(ctx) });
    ctx.answerCallback(ctx.t(sent ? 'admin.resend.done' : 'admin.resend.none'), true);
  }

  private async typedAdjustment(ctx: BotContext, userId: string, text: string): Promise<void> {
    const typed = parseBalanceAdjustment(text);
    if (!typed) {
      ctx.say(ctx.t('admin.adjust.invalid'));
      return;
    }
    const { amountMinor: amount, reason } = typed;
    const card = await this.customerCard(ctx, userId);
    await this.state.clear(ctx.botId, ctx.from!.id);
    const draft = await this.state.putDraft(ctx.botId, ctx.from!.id, {
      kind: 'adjust',
      userId,
      amountMinor: amount,
      reason,
    });
    ctx.show(adjustConfirmScreen(ctx.lang, card, amount, reason, draft));
  }

  /**
   * Confirm of a balance adjustment: the draft's key is the idempotency key, so a second tap (or a retried
   * update) posts nothing more and says so.
   */
  private async adjust(ctx: BotContext, role: AdminRole, draftId: string): Promise<void> {
    const draft = await this.state.draft(ctx.botId, ctx.from!.id, draftId);
    if (!draft || draft.kind !== 'adjust') return ctx.answerCallback(ctx.t('admin.expired'), true);
    const res = await this.db.atomic(ctx.botId, () =>
      this.customers.adjustBalance(
        ctx.botId,
        draft.userId,
        { amountMinor: draft.amountMinor, reason: draft.reason, idempotencyKey: `tg-admin:${draftId}` },
        this.actor(ctx),
      ),
    );
    const card = await this.customerCard(ctx, draft.userId);
    if (!res.applied) ctx.answerCallback(ctx.t('admin.adjust.already'), true);
    else ctx.answerCallback(ctx.t('admin.adjust.done', { balance: formatBalance(ctx, card) }));
    ctx.show(this.customerScreen(ctx, role, card));
  }

  private async typedPrice(ctx: BotContext, planId: string, text: string): Promise<void> {
    const plan = await this.plans.get(ctx.botId, planId);
    const price = parseTypedPlanPrice(text);
    if (price === null) {
      ctx.say(ctx.t('admin.price.invalid', { max: MAX_MINOR }));
      return;
    }
    await this.state.clear(ctx.botId, ctx.from!.id);
    ctx.show(priceConfirmScreen(ctx.lang, plan, price));
  }

  private async typedShopText(ctx: BotContext, kind: ShopTextKind, lang: Language, text: string): Promise<void> {
    if (!text) return ctx.say(ctx.t('admin.texts.tooLong', { max: SHOP_TEXT_MAX[kind] }));
    if (text.length > SHOP_TEXT_MAX[kind]) {
      ctx.say(ctx.t('admin.texts.tooLong', { max: SHOP_TEXT_MAX[kind] }));
      return;
    }
    await this.state.clear(ctx.botId, ctx.from!.id);
    const draft = await this.state.putDraft(ctx.botId, ctx.from!.id, { kind: 'text', text: kind, lang, value: text });
    ctx.show(textPreviewScreen(ctx.lang, kind, lang, text, draft));
  }

  private async saveText(ctx: BotContext, draftId: string): Promise<void> {
    const draft = await this.state.draft(ctx.botId, ctx.from!.id, draftId);
    if (!draft || draft.kind !== 'text') return ctx.answerCallback(ctx.t('admin.expired'), true);
    const key = draft.text === 'welcome' ? 'welcome_text' : 'support_text';
    await this.db.atomic(ctx.botId, () =>
      this.configurations.setTranslation(ctx.botId, key, draft.lang, draft.value, this.actor(ctx)),
    );
    // This worker hosts the bot: the next /start reads the new text (others within BOT_SETTINGS_CACHE_MS).
    this.profiles.invalidate(ctx.botId);
    ctx.answerCallback(ctx.t('admin.texts.saved'));
    ctx.show(textsScreen(ctx.lang, ctx.profile.languages));
  }

  /** The latest broadcasts of the bot. */
  private async broadcastList(ctx: BotContext): Promise<Screen> {
    const page = await this.broadcasts.list(ctx.botId, 1, BROADCASTS_LISTED);
    return broadcastsScreen(ctx.lang, page.items);
  }

  private async broadcastScreen(ctx: BotContext, v: BroadcastView): Promise<Screen> {
    const size = v.broadcast.status === 'draft' ? await this.broadcasts.audienceSize(ctx.botId, v.audience) : 0;
    return broadcastScreen(ctx.lang, v, size);
  }

  /**
   * A broadcast's message, checked the way the domain will check it (a problem is said and the step keeps
   * waiting for a corrected message); then the audience to choose, each with its size now.
   */
  private async typedBroadcast(ctx: BotContext, text: string, photo: string | null): Promise<void> {
    try {
      checkBroadcastContent({ text, photo });
    } catch (e) {
      if (!DomainError.is(e, ErrorCode.VALIDATION_FAILED)) throw e;
      ctx.say(ctx.t('admin.bc.invalid', { problem: e.message }));
      return;
    }
    await this.state.clear(ctx.botId, ctx.from!.id);
    const draft = await this.state.putDraft(ctx.botId, ctx.from!.id, { kind: 'broadcast', text, photo });
    ctx.show(await this.audienceScreen(ctx, draft, 'segment'));
  }

  /** The composed message's audience: by segment, or by one of the shop's languages; each with its size now. */
  private async audienceScreen(ctx: BotContext, draft: string, by: 'segment' | 'language'): Promise<Screen> {
    if (by === 'language') {
      const sizes: [Language, number][] = [];
      for (const language of ctx.profile.languages)
        sizes.push([language, await this.broadcasts.audienceSize(ctx.botId, { segment: 'all', language })]);
      return broadcastLanguageScreen(ctx.lang, draft, sizes);
    }
    const sizes = {} as Record<AudienceSegment, number>;
    for (const segment of AUDIENCE_SEGMENTS)
      sizes[segment] = await this.broadcasts.audienceSize(ctx.botId, { segment });
    return broadcastAudienceScreen(ctx.lang, draft, sizes);
  }

  /** Switches the audience screen of a composed message (still waiting) between segments and languages. */
  private async chooseAudience(ctx: BotContext, draftId: string, by: 'segment' | 'language'): Promise<void> {
    const draft = await this.state.draft(ctx.botId, ctx.from!.id, draftId);
    if (!draft || draft.kind !== 'broadcast') return ctx.answerCallback(ctx.t('admin.expired'), true);
    ctx.answerCallback();
    ctx.show(await this.audienceScreen(ctx, draftId, by));
  }

  /**
   * The composed message to the audience chosen: the broadcast's draft, previewed to this admin (the worker's
   * BroadcastPreview job). The composed message makes one broadcast: its key (this admin's draft) is unique in the
   * database, so a second tap — or a retried update — answers with the broadcast it made.
   */
  private async createBroadcast(ctx: BotContext, draftId: string, audience: BroadcastAudience): Promise<void> {
    const from = ctx.from!.id;
    const draft = await this.state.draft(ctx.botId, from, draftId);
    if (!draft || draft.kind !== 'broadcast') return ctx.answerCallback(ctx.t('admin.expired'), true);
    const { view, created } = await this.db.atomic(ctx.botId, () =>
      this.broadcasts.createOnce(
        ctx.botId,
        `tg:${from}:${draftId}`,
        { text: draft.text, photo: draft.photo, audience, previewTelegramId: from },
        this.actor(ctx),
      ),
    );
    if (created) ctx.answerCallback();
    else ctx.answerCallback(ctx.t('admin.bc.used'), true);
    ctx.show(await this.broadcastScreen(ctx, view));
  }

  /**
   * Start or Cancel. The domain decides (a draft starts only once previewed; only once): a refusal is said
   * precisely and the broadcast shown as it is.
   */
  private async changeBroadcast(ctx: BotContext, change: 'start' | 'cancel', id: string): Promise<void> {
    let view: BroadcastView;
    try {
      view = await this.db.atomic(ctx.botId, () =>
        change === 'start'
          ? this.broadcasts.start(ctx.botId, id, this.actor(ctx))
          : this.broadcasts.cancel(ctx.botId, id, this.actor(ctx)),
      );
    } catch (e) {
      if (!DomainError.is(e, ErrorCode.CONFLICT)) throw e;
      const now = await this.broadcasts.get(ctx.botId, id);
      const b = now.broadcast;
      if (b.status !== 'draft') {
        ctx.answerCallback(ctx.t('admin.bc.already', { status: ctx.t(`admin.bc.status.${b.status}`) }), true);
      } else {
        const why = b.failure
          ? 'admin.bc.cannotStart'
          : b.photoAwaited
            ? 'admin.bc.photoAwaitedAlert'
            : 'admin.bc.notPreviewed';
        ctx.answerCallback(ctx.t(why), true);
      }
      return ctx.show(await this.broadcastScreen(ctx, now));
    }
    ctx.answerCallback(ctx.t(change === 'start' ? 'admin.bc.started' : 'admin.bc.cancelled'));
    ctx.show(await this.broadcastScreen(ctx, view));
  }

  /** A page of the tickets waiting for the shop (open and answered), newest activity first. */
  private async showTickets(ctx: BotContext, page: number): Promise<void> {
    const found = await this.tickets.inbox(ctx.botId, page, TICKETS_PAGE_SIZE);
    const rows = found.items.map(({ ticket, customer }) => ({ ticket, name: customerLabel(customer) }));
    ctx.show(ticketsScreen(ctx.lang, rows, found.total, page));
  }

  /** A ticket of this bot (another bot's id is NOT_FOUND) with its last messages. */
  private async showTicket(ctx: BotContext, ticketId: string): Promise<void> {
    const ticket = await this.tickets.get(ctx.botId, ticketId);
    const [card, messages] = await Promise.all([
      this.tickets.customerCard(ctx.botId, ticket.userId),
      this.tickets.lastMessages(ctx.botId, ticket.id, TICKET_MESSAGES_SHOWN),
    ]);
    const user = card?.user;
    const customer = { name: customerLabel(user), telegramId: user?.telegramId ?? null };
    ctx.show(adminTicketScreen(ctx.lang, ticket, customer, messages));
  }

  /**
   * The admin's typed answer to a ticket, through the same use case as the REST answer (its checks, the
   * customer told after the commit). Keyed by the admin's message, so a retried update sends nothing more.
   * A refused answer (too long, empty) keeps the step waiting for a corrected one; a closed ticket ends it.
   */
  private async typedTicketAnswer(ctx: BotContext, ticketId: string, text: string, messageId: number): Promise<void> {
    try {
      const { ticket } = await this.db.atomic(ctx.botId, () =>
        this.replyToTicket.execute({
          botId: ctx.botId,
          ticketId,
          actor: this.actor(ctx),
          content: { text: storableText(text), photoFileId: null },
          idempotencyKey: `tg-admin:${ctx.chat!.id}:${messageId}`,
        }),
      );
      await this.state.clear(ctx.botId, ctx.from!.id);
      ctx.say(ctx.t('ticketAdmin.sent', { number: ticket.number }));
      return this.showTicket(ctx, ticketId);
    } catch (e) {
      if (DomainError.is(e, ErrorCode.VALIDATION_FAILED)) {
        ctx.say(ctx.t('ticketAdmin.invalid', { max: TICKET_MESSAGE_MAX }));
        return;
      }
      await this.state.clear(ctx.botId, ctx.from!.id);
      throw e;
    }
  }

  /** Sends a prompt and waits for the admin's next text message. */
  private async ask(ctx: BotContext, awaiting: Parameters<AdminState['expect']>[2], prompt: string): Promise<void> {
    await this.state.expect(ctx.botId, ctx.from!.id, awaiting);
    ctx.say(prompt, { reply_markup: { force_reply: true } });
  }
}

function pricePrompt(lang: Language, plan: PlanView): string {
  return translate(lang, 'admin.price.prompt', {
    name: localizedName(plan.name, lang),
    price: formatMoney(lang, plan.priceMinor, plan.currency),
    currency: plan.currency,
  });
}

function formatBalance(ctx: BotContext, card: CustomerCard): string {
  return formatMoney(ctx.lang, card.balanceMinor, card.currency);
}

/** False only when the profile knows the admins and the sender is not one of them (a customer: no admin work). */
function mayBeAdmin(ctx: BotContext): boolean {
  const ids = ctx.profile.adminTelegramIds;
  return !ids || (ctx.from !== undefined && ids.has(ctx.from.id));
}

function nameOf(u: Pick<UserEntity, 'firstName' | 'lastName'>): string {
  return [u.firstName, u.lastName].filter((s) => !!s && s.trim()).join(' ');
}

/** A ticket's customer as the admins' screens name them: their name, else @username, else Telegram id. */
function customerLabel(u: Pick<UserEntity, 'firstName' | 'lastName' | 'username' | 'telegramId'> | null | undefined) {
  if (!u) return '—';
  return nameOf(u) || (u.username ? `@${u.username}` : String(u.telegramId));
}

/** The text after a command (`/find @name` → `@name`). */
function commandArgument(ctx: BotContext): string {
  const msg = ctx.message;
  if (!msg || !('text' in msg)) return '';
  return msg.text.replace(/^\/\S+\s*/, '').trim();
}
