import { Inject, Injectable, Optional } from '@nestjs/common';
import type { MiddlewareFn } from 'telegraf';
import { Language } from '@botfleet/catalog';
import { SubscriptionViewsService } from '@botfleet/provisioning';
import { canSell } from '@botfleet/sales';
import { BotUsersService, chooseLanguage, TelegramUserInfo, TouchOptions } from '@botfleet/users';
import { BotContext } from '../context/bot-context';
import { isMenuActionAvailable, menuEnvironment } from '../menu/menu-actions';
import { parseCallbackData } from '../screens/callback-data';
import { helpScreen, languageScreen, mainMenuScreen, supportScreen } from '../screens/screens';
import { CAPTION_LIMIT, subscriptionQrPng } from '../screens/subscription-delivery';
import { subscriptionsScreen } from '../screens/subscriptions.screen';
import { escapeHtml } from '../text/html';
import { SaleConversation } from '../sales/sale-conversation.service';
import { AdminHandler } from '../admin/admin.handler';
import { MASTER_CONSOLE, MasterConsolePort } from '../master/master-console.port';
import { SupportConversation } from '../support/support-conversation.service';
import { WalletHandler } from '../wallet/wallet.handler';
import { AutoRenewHandler } from '../growth/auto-renew.handler';
import { TrialHandler } from '../growth/trial.handler';
import { PromoHandler } from '../growth/promo.handler';
import { ReferralHandler } from '../growth/referral.handler';
import { Routes } from './routes';

const START = /^\/start(?:@\w+)?(?:\s+(\S{1,64}))?\s*$/;

/**
 * The one handler composition every hosted bot shares, built once at boot. Each update first learns who
 * is talking (the tenant's user row, created or refreshed on every private message, and their language);
 * a user the tenant blocked gets one clear notice and nothing else; then the first conversation of
 * PRODUCT.md C7. Handlers only queue answers on `ctx` (see BotContext), never call Telegram themselves.
 */
@Injectable()
export class BotComposition {
  readonly composer: Routes;
  readonly middleware: MiddlewareFn<BotContext>;

  constructor(
    private readonly users: BotUsersService,
    private readonly subscriptions: SubscriptionViewsService,
    private readonly sale: SaleConversation,
    private readonly admin: AdminHandler,
    private readonly support: SupportConversation,
    private readonly wallet: WalletHandler,
    private readonly trial: TrialHandler,
    private readonly autoRenew: AutoRenewHandler,
    private readonly promo: PromoHandler,
    private readonly referral: ReferralHandler,
    /** The operator's console (master bot only; bound where the platform path exists, i.e. the worker). */
    @Optional() @Inject(MASTER_CONSOLE) private readonly master?: MasterConsolePort,
  ) {
    this.composer = this.build();
    this.middleware = this.composer.middleware();
  }

  private build(): Routes {
    const root = new Routes();
    root.on('my_chat_member', (ctx) => this.onMembership(ctx));
    root.use((ctx, next) => this.identify(ctx, next));
    // Receipt review: admins press Approve / Reject in the admin chat (a group) or their private chat.
    root.use(this.sale.review);
    // Support: an admin's reply to a ticket's message answers it; the ticket's Close button.
    root.use(this.support.adminChat);
    // Telegram Stars: pre_checkout_query (no chat), successful_payment and refunded_payment messages.
    root.use(this.sale.checkout);

    const chat = new Routes();
    chat.use((ctx, next) => {
      if (ctx.user?.status !== 'blocked') return next();
      if (ctx.callbackQuery) ctx.answerCallback(ctx.t('blocked.notice'), true);
      else ctx.say(ctx.t('blocked.notice'));
    });
    // The operator's console in the master bot (MASTER_ADMIN_TELEGRAM_IDS only; anyone else passes through).
    if (this.master) chat.use(this.master.middleware);
    // The shop's admins: /admin, its buttons and the values they type; anyone else passes through.
    chat.use(this.admin.composer);
    // The wallet first: a reply to its "type the amount" prompt is an amount, not a text receipt.
    chat.use(this.wallet.composer);
    // Growth: /trial and the menu's trial button; the auto-renew toggles of /subs (ar:).
    chat.use(this.trial.composer);
    chat.use(this.autoRenew.composer);
    // Promo codes (/promo, the payment screen's button, a reply to their prompt) and /ref.
    chat.use(this.promo.composer);
    chat.use(this.referral.composer);
    // Support before the sale: a ticket being written takes its photo (not a receipt); commands pass.
    chat.use(this.support.privateChat);
    chat.use(this.sale.privateChat);
    chat.command('start', (ctx) =>
      ctx.show(mainMenuScreen(ctx.profile, ctx.lang, ctx.user?.firstName ?? ctx.from.first_name)),
    );
    chat.command('lang', (ctx) => this.open(ctx, 'language'));
    chat.command('help', (ctx) => this.open(ctx, 'help'));
    chat.command('support', (ctx) => this.open(ctx, 'support'));
    chat.command('subs', (ctx) => this.showSubscriptions(ctx));
    chat.on('callback_query', (ctx) => this.onCallback(ctx));
    chat.on('message', (ctx) => {
      ctx.say(ctx.t('menu.hint'));
      ctx.show(mainMenuScreen(ctx.profile, ctx.lang, ctx.user?.firstName ?? null));
    });
    // The buyer's conversation happens in private chats; groups only see the review above.
    root.use(chat, (ctx) => ctx.chat?.type === 'private');
    return root;
  }

  /**
   * What `identify` writes for this update's sender — null when it writes nothing (no sender, a bot, not a
   * private chat, or a membership change, which is handled before `identify`). The batch pipeline uses it
   * to create or refresh the first update's sender of many updates in one statement.
   */
  static touchInputOf(ctx: BotContext): { from: TelegramUserInfo; opts: TouchOptions } | null {
    if (ctx.myChatMember) return null;
    const from = ctx.from;
    if (!from || from.is_bot || ctx.chat?.type !== 'private') return null;
    const text = ctx.message && 'text' in ctx.message ? ctx.message.text : undefined;
    const start = text ? START.exec(text) : null;
    const languageForNewUser = chooseLanguage(from.language_code, ctx.profile.languages, ctx.profile.defaultLanguage);
    return { from, opts: { languageForNewUser, startPayload: start?.[1] } };
  }

  /** Who is talking: the user row (created on first contact) and the language to answer in. */
  private async identify(ctx: BotContext, next: () => Promise<void>): Promise<void> {
    const offered = ctx.profile.languages;
    ctx.lang = chooseLanguage(ctx.from?.language_code, offered, ctx.profile.defaultLanguage);
    const input = BotComposition.touchInputOf(ctx);
    if (input) {
      ctx.user = ctx.preparedUser ?? (await this.users.touch(ctx.botId, input.from, input.opts));
      const own = ctx.user.language;
      if (own && offered.includes(own)) ctx.lang = own;
    }
    return next();
  }

  /** The user blocked or unblocked the bot in their private chat. */
  private async onMembership(ctx: BotContext): Promise<void> {
    const m = ctx.myChatMember;
    if (!m || m.chat.type !== 'private') return;
    if (m.new_chat_member.status === 'kicked') await this.users.markBotBlocked(ctx.botId, m.from.id);
    else if (m.new_chat_member.status === 'member') await this.users.clearBotBlocked(ctx.botId, m.from.id);
  }

  private open(ctx: BotContext, action: 'language' | 'help' | 'support'): void {
    if (!isMenuActionAvailable(action, menuEnvironment(ctx.profile))) return this.unavailable(ctx);
    if (action === 'language') ctx.show(languageScreen(ctx.profile, ctx.lang));
    else if (action === 'help') ctx.show(helpScreen(ctx.profile, ctx.lang));
    else ctx.show(supportScreen(ctx.profile, ctx.lang));
  }

  private unavailable(ctx: BotContext): void {
    if (ctx.callbackQuery) {
      ctx.answerCallback(ctx.t('common.unavailable'));
      return;
    }
    ctx.say(ctx.t('common.unavailable'));
    ctx.show(mainMenuScreen(ctx.profile, ctx.lang, ctx.user?.firstName ?? null));
  }

  private async onCallback(ctx: BotContext): Promise<void> {
    const q = ctx.callbackQuery;
    const parsed = parseCallbackData(q && 'data' in q ? q.data : undefined);
    if (!parsed) return this.unavailable(ctx);
    if (parsed.kind === 'language') return this.changeLanguage(ctx, parsed.lang);
    if (parsed.kind === 'subscriptionQr') return this.sendSubscriptionQr(ctx, parsed.subscriptionId);
    if (parsed.action === 'home') {
      ctx.answerCallback();
      ctx.show(mainMenuScreen(ctx.profile, ctx.lang, ctx.user?.firstName ?? null));
      return;
    }
    if (parsed.action === 'subscriptions') {
      ctx.answerCallback();
      return this.showSubscriptions(ctx);
    }
    if (parsed.action !== 'language' && parsed.action !== 'help' && parsed.action !== 'support') {
      return this.unavailable(ctx);
    }
    if (!isMenuActionAvailable(parsed.action, menuEnvironment(ctx.profile))) return this.unavailable(ctx);
    ctx.answerCallback();
    this.open(ctx, parsed.action);
  }

  /** /subs and the menu's "My subscriptions": the user's subscriptions with usage, expiry and status. */
  private async showSubscriptions(ctx: BotContext): Promise<void> {
    if (!ctx.user || !isMenuActionAvailable('subscriptions', menuEnvironment(ctx.profile)))
      return this.unavailable(ctx);
    const subs = await this.subscriptions.listForUser(ctx.botId, ctx.user.id);
    const features = ctx.profile.features;
    ctx.show(subscriptionsScreen(ctx.lang, subs, canSell(features), features.has('auto_renewal')));
  }

  /**
   * /subs' QR button: the QR code of one of the user's own active subscriptions, made again from its link
   * (the same image the delivery sends), with the link to copy. Another user's id is simply not available.
   */
  private async sendSubscriptionQr(ctx: BotContext, subscriptionId: string): Promise<void> {
    const chatId = ctx.chat?.id;
    if (!ctx.user || chatId === undefined || !isMenuActionAvailable('subscriptions', menuEnvironment(ctx.profile)))
      return this.unavailable(ctx);
    const sub = await this.subscriptions.findForUser(ctx.botId, ctx.user.id, subscriptionId);
    const url = sub?.status === 'active' ? sub.subscriptionUrl : null;
    if (!url) return this.unavailable(ctx);
    ctx.answerCallback();
    const withLink = `${ctx.t('delivery.qrCaption')}\n<code>${escapeHtml(url)}</code>`;
    ctx.outbox.add('sendPhoto', {
      chat_id: chatId,
      photo: { source: await subscriptionQrPng(url), filename: 'subscription-qr.png' },
      caption: withLink.length <= CAPTION_LIMIT ? withLink : ctx.t('delivery.qrCaption'),
      parse_mode: 'HTML',
    });
  }

  private async changeLanguage(ctx: BotContext, lang: Language): Promise<void> {
    if (!ctx.user || !ctx.profile.languages.includes(lang)) return this.unavailable(ctx);
    await this.users.setLanguage(ctx.botId, ctx.user.id, lang);
    ctx.user = { ...ctx.user, language: lang };
    ctx.lang = lang;
    ctx.answerCallback(ctx.t('language.changed'));
    ctx.show(mainMenuScreen(ctx.profile, lang, ctx.user.firstName));
  }
}
