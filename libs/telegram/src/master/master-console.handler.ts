import { Injectable } from '@nestjs/common';
import { ClsService, ClsServiceManager } from 'nestjs-cls';
import { randomBytes } from 'node:crypto';
import { Composer, MiddlewareFn } from 'telegraf';
import { ConsoleLinksService } from '@botfleet/bots';
import { FEATURE_CATALOG, FeatureKey, FeaturesService } from '@botfleet/catalog';
import { Actor, DomainError, ErrorCode } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { TenantDb, TenantTx } from '@botfleet/dal';
import {
  AdjustWalletUseCase,
  BotAdminService,
  InvitesService,
  OperatorAuditService,
  OperatorConsoleService,
  PanelsRegistryService,
  TenantCard,
  TopUpWalletUseCase,
} from '@botfleet/operator';
import { consoleLinkScreen, isConsoleLinkCallback } from '../admin/console-link';
import type { BotContext } from '../context/bot-context';
import { replyFor } from '../errors/reply-for';
import { translate } from '../i18n/translate';
import { formatMoney } from '../sales/sale-format';
import { plain } from '../text/html';
import { cleanText } from '../text/sanitize';
import { MasterCallback, MasterCallbackData as CB, parseMasterCallback } from './master-callbacks';
import {
  auditScreen,
  confirmScreen,
  doneScreen,
  featuresScreen,
  inviteCreatedScreen,
  invitesScreen,
  masterHomeScreen,
  panelsScreen,
  priceScreen,
  promptScreen,
  statsScreen,
  suspendConfirmText,
  tenantCardScreen,
  tenantsScreen,
} from './master-screens';
import { MasterSessions, TypedPrice } from './master-sessions';

const PAGE_SIZE = 8;
const REASON_MAX = 300;
const SEARCH_MAX = 64;
/** `/audit` shows this many of the newest entries. */
const AUDIT_LINES = 10;
/** The feature keys in catalogue order: a toggle button names its feature by index (callback data stays short). */
export const MASTER_FEATURE_KEYS = Object.keys(FEATURE_CATALOG) as FeatureKey[];

const COMMAND = /^\/([a-z]+)(?:@\w+)?(?:\s+([\s\S]*))?$/;
const PERSIAN = '۰۱۲۳۴۵۶۷۸۹';
const ARABIC = '٠١٢٣٤٥٦٧٨٩';

/** Digits as typed on a Persian or Arabic keyboard, read as ASCII digits. */
const asciiDigits = (s: string): string =>
  s.replace(/[۰-۹٠-٩]/g, (d) => String(PERSIAN.includes(d) ? PERSIAN.indexOf(d) : ARABIC.indexOf(d)));

/** A positive whole amount in minor units (spaces, commas and underscores between digits allowed), else null. */
export function parseAmountMinor(text: string): number | null {
  const s = asciiDigits(text.trim()).replace(/[\s,_٬]/g, '');
  if (!/^[1-9]\d{0,14}$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** `<signed amount> <note>`: a non-zero whole amount in minor units (+ or - in front) and a note of 3..300 characters. */
export function parseAdjustment(text: string): { amountMinor: number; note: string } | null {
  const m = /^([+\-−]?)\s*([\d,_٬]+)\s+([\s\S]+)$/.exec(asciiDigits(text.trim()));
  if (!m) return null;
  const digits = m[2].replace(/[,_٬]/g, '');
  if (!/^[1-9]\d{0,14}$/.test(digits)) return null;
  const note = m[3].trim();
  const length = Array.from(note).length;
  if (length < 3 || length > 300) return null;
  return { amountMinor: m[1] === '' || m[1] === '+' ? Number(digits) : -Number(digits), note };
}

/** Four whole numbers ≥ 0: per plan, per GB, per day (minor units), and the GB an unlimited plan counts as. */
export function parsePrice(text: string): TypedPrice | null {
  const parts = asciiDigits(text.trim()).split(/\s+/);
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,12}$/.test(p))) return null;
  const [perPlanMinor, perGbMinor, perDayMinor, unlimitedTrafficGb] = parts.map(Number);
  if (unlimitedTrafficGb > 1_000_000) return null;
  return { perPlanMinor, perGbMinor, perDayMinor, unlimitedTrafficGb };
}

/** The operator's Telegram id (isOperator made sure there is a sender). */
const adminOf = (ctx: BotContext): number => ctx.from?.id ?? 0;

/** The operator acting in the master bot, as the audit logs record them. */
export const masterActor = (telegramId: number): Actor => ({
  type: 'master',
  id: `tg:${telegramId}`,
  label: 'operator (master bot)',
});

/**
 * The operator's console in the master bot: tenants (search, card, suspend / resume with a reason, wallet
 * top-up, wholesale price, feature allowances), invites, panels and platform figures. Only for
 * MASTER_ADMIN_TELEGRAM_IDS in the master bot's private chats; for anyone else it is not there at all (the
 * update goes on to the ordinary shop, whose callback parser does not know `ms:`). Every action calls the
 * operator's use case the REST admin calls; every callback is parsed strictly; a money move or a suspension
 * needs a confirm tap, and a top-up's confirm tap carries its idempotency key, so a double tap credits once.
 */
@Injectable()
export class MasterConsole {
  /** Mounted by the composition in private chats; a no-op for anyone but the operator. */
  readonly middleware: MiddlewareFn<BotContext>;
  private readonly cls: ClsService = ClsServiceManager.getClsService();

  constructor(
    private readonly config: AppConfig,
    private readonly sessions: MasterSessions,
    private readonly db: TenantDb,
    private readonly bots: BotAdminService,
    private readonly topUps: TopUpWalletUseCase,
    private readonly adjustments: AdjustWalletUseCase,
    private readonly invites: InvitesService,
    private readonly panels: PanelsRegistryService,
    private readonly tenants: OperatorConsoleService,
    private readonly features: FeaturesService,
    private readonly consoleLinks: ConsoleLinksService,
    private readonly audit: OperatorAuditService,
  ) {
    this.middleware = Composer.optional<BotContext>(
      (ctx) => this.isOperator(ctx),
      (ctx, next) => this.route(ctx, next),
    );
  }

  /** The master bot, a private chat, and a sender listed in MASTER_ADMIN_TELEGRAM_IDS. */
  isOperator(ctx: BotContext): boolean {
    const from = ctx.from;
    return (
      !!ctx.profile?.isMaster &&
      !!from &&
      !from.is_bot &&
      ctx.chat?.type === 'private' &&
      this.config.masterAdminTelegramIds.includes(from.id)
    );
  }

  private async route(ctx: BotContext, next: () => Promise<void>): Promise<void> {
    try {
      if (ctx.callbackQuery) {
        const q = ctx.callbackQuery;
        if ('data' in q && isConsoleLinkCallback(q.data)) return await this.sendConsoleLink(ctx);
        const parsed = parseMasterCallback('data' in q ? q.data : undefined);
        if (!parsed) {
          // Not ours: `ms:` data that does not parse is refused here, anything else is the shop's.
          if ('data' in q && q.data?.startsWith('ms:')) return ctx.answerCallback(ctx.t('common.unavailable'));
          return next();
        }
        return await this.outsideTheUpdate(ctx, () => this.onCallback(ctx, parsed));
      }
      const text = ctx.message && 'text' in ctx.message ? ctx.message.text : undefined;
      if (text === undefined) return next();
      const cmd = COMMAND.exec(text.trim());
      if (cmd) {
        const handled = await this.outsideTheUpdate(ctx, () => this.onCommand(ctx, cmd[1], cmd[2]?.trim() ?? ''));
        if (handled) return;
        return next();
      }
      const step = await this.sessions.step(adminOf(ctx));
      if (!step || step.step === 'reasonGiven' || step.step === 'priceGiven' || step.step === 'adjustGiven') {
        return next();
      }
      return await this.outsideTheUpdate(ctx, () => this.onTyped(ctx, text));
    } catch (err) {
      if (!DomainError.is(err)) throw err;
      this.tellError(ctx, err);
    }
  }

  /**
   * The operator acts on other tenants: their use cases open their own transactions (tenant path for another
   * bot, platform path), so they run outside the master bot's update transaction — its async context is left
   * here, and kept only for `afterCommit` (see tellOwner). Replies are still queued on `ctx`, sent after commit.
   */
  private outsideTheUpdate<T>(ctx: BotContext, work: () => Promise<T>): Promise<T> {
    const update = this.db.current();
    if (update) this.updates.set(ctx, update);
    return this.cls.run({ ifNested: 'override' }, work);
  }

  /** "Open the web console": a one-time sign-in link to the master console for this operator. */
  private async sendConsoleLink(ctx: BotContext): Promise<void> {
    const link = await this.consoleLinks.issueForOperator(adminOf(ctx));
    ctx.answerCallback();
    const screen = consoleLinkScreen(ctx.lang, link.url, (link.expiresAt.getTime() - Date.now()) / 1000);
    ctx.say(screen.text, screen.keyboard?.length ? { reply_markup: { inline_keyboard: screen.keyboard } } : {});
  }

  /** The master bot's update transaction of each update being handled (for afterCommit). */
  private readonly updates = new WeakMap<BotContext, TenantTx>();

  private tellError(ctx: BotContext, err: DomainError): void {
    const text = ctx.t(replyFor(err.code));
    if (ctx.callbackQuery) ctx.answerCallback(text, true);
    else ctx.say(text);
  }

  // ── commands ──────────────────────────────────────────────────────────────────────────────────────────

  private async onCommand(ctx: BotContext, name: string, arg: string): Promise<boolean> {
    const admin = adminOf(ctx);
    switch (name) {
      case 'start':
      case 'help':
        await this.sessions.clearStep(admin);
        ctx.show(masterHomeScreen(ctx.lang));
        return true;
      case 'cancel':
        await this.sessions.clearStep(admin);
        ctx.say(ctx.t('ms.input.cancelled'));
        ctx.show(masterHomeScreen(ctx.lang));
        return true;
      case 'tenants': {
        await this.sessions.clearStep(admin);
        const search = arg ? cleanText(arg).slice(0, SEARCH_MAX) : null;
        await this.sessions.setSearch(admin, search);
        await this.showTenants(ctx, 1, search);
        return true;
      }
      case 'invites':
        await this.sessions.clearStep(admin);
        await this.showInvites(ctx, 1);
        return true;
      case 'panels':
        await this.sessions.clearStep(admin);
        await this.showPanels(ctx);
        return true;
      case 'stats':
        await this.sessions.clearStep(admin);
        await this.showStats(ctx, 'today');
        return true;
      case 'audit': {
        await this.sessions.clearStep(admin);
        const latest = await this.audit.page({}, 1, AUDIT_LINES);
        ctx.show(auditScreen(ctx.lang, latest.items));
        return true;
      }
      default:
        return false;
    }
  }

  // ── typed answers ─────────────────────────────────────────────────────────────────────────────────────

  private async onTyped(ctx: BotContext, raw: string): Promise<void> {
    const admin = adminOf(ctx);
    const step = await this.sessions.step(admin);
    const text = cleanText(raw).trim();
    if (!step) return;
    switch (step.step) {
      case 'search': {
        const search = text.slice(0, SEARCH_MAX) || null;
        await this.sessions.clearStep(admin);
        await this.sessions.setSearch(admin, search);
        return this.showTenants(ctx, 1, search);
      }
      case 'reason': {
        if (!text) return ctx.say(ctx.t('error.invalid'));
        const reason = Array.from(text).slice(0, REASON_MAX).join('');
        const card = await this.tenants.tenantCard(step.botId);
        await this.sessions.setStep(admin, { step: 'reasonGiven', botId: step.botId, reason });
        return ctx.show(
          confirmScreen(
            ctx.lang,
            suspendConfirmText(ctx.lang, card.name, reason),
            CB.suspendConfirm(card.id),
            CB.card(card.id),
          ),
        );
      }
      case 'amount': {
        const card = await this.tenants.tenantCard(step.botId);
        const amount = parseAmountMinor(text);
        if (amount === null) return ctx.say(ctx.t('ms.topUp.badAmount', { currency: card.currency }));
        await this.sessions.clearStep(admin);
        const nonce = randomBytes(9).toString('base64url');
        return ctx.show(
          confirmScreen(
            ctx.lang,
            ctx.t('ms.topUp.confirm', {
              amount: formatMoney(ctx.lang, amount, card.currency),
              name: { html: tenantName(card) },
            }),
            CB.topUpConfirm(card.id, amount, nonce),
            CB.card(card.id),
          ),
        );
      }
      case 'adjust': {
        const card = await this.tenants.tenantCard(step.botId);
        const typed = parseAdjustment(text);
        if (!typed) return ctx.say(ctx.t('ms.adjust.bad', { currency: card.currency }));
        const money = (n: number) => formatMoney(ctx.lang, n, card.currency);
        const free = card.walletBalanceMinor - card.walletHeldMinor;
        // A debit past the free balance is refused here (and by the use case): the operator types again.
        if (free + typed.amountMinor < 0) return ctx.say(ctx.t('ms.adjust.overdraw', { free: money(free) }));
        const nonce = randomBytes(9).toString('base64url');
        await this.sessions.setStep(admin, { step: 'adjustGiven', botId: card.id, ...typed, nonce });
        return ctx.show(
          confirmScreen(
            ctx.lang,
            ctx.t(typed.amountMinor > 0 ? 'ms.adjust.confirmCredit' : 'ms.adjust.confirmDebit', {
              amount: money(Math.abs(typed.amountMinor)),
              name: { html: tenantName(card) },
              note: typed.note,
              balance: money(card.walletBalanceMinor + typed.amountMinor),
              free: money(free + typed.amountMinor),
            }),
            CB.adjustConfirm(card.id, nonce),
            CB.card(card.id),
          ),
        );
      }
      case 'price': {
        const price = parsePrice(text);
        if (!price) return ctx.say(ctx.t('ms.price.bad'));
        const card = await this.tenants.tenantCard(step.botId);
        await this.sessions.setStep(admin, { step: 'priceGiven', botId: card.id, price });
        const money = (n: number) => formatMoney(ctx.lang, n, card.currency);
        return ctx.show(
          confirmScreen(
            ctx.lang,
            ctx.t('ms.price.confirm', {
              name: { html: tenantName(card) },
              perPlan: money(price.perPlanMinor),
              perGb: money(price.perGbMinor),
              perDay: money(price.perDayMinor),
              unlimitedGb: price.unlimitedTrafficGb,
            }),
            CB.priceConfirm(card.id),
            CB.card(card.id),
          ),
        );
      }
      default:
        return;
    }
  }

  // ── buttons ───────────────────────────────────────────────────────────────────────────────────────────

  private async onCallback(ctx: BotContext, cb: MasterCallback): Promise<void> {
    const admin = adminOf(ctx);
    const actor = masterActor(admin);
    switch (cb.kind) {
      case 'home':
        await this.sessions.clearStep(admin);
        ctx.answerCallback();
        return ctx.show(masterHomeScreen(ctx.lang));
      case 'cancel':
        await this.sessions.clearStep(admin);
        ctx.answerCallback(ctx.t('ms.input.cancelled'));
        return ctx.show(masterHomeScreen(ctx.lang));
      case 'tenants': {
        await this.sessions.clearStep(admin);
        const search = cb.search ? await this.sessions.search(admin) : null;
        if (!cb.search) await this.sessions.setSearch(admin, null);
        ctx.answerCallback();
        return this.showTenants(ctx, cb.page, search);
      }
      case 'searchAsk':
        await this.sessions.setStep(admin, { step: 'search' });
        ctx.answerCallback();
        return ctx.show(promptScreen(ctx.lang, ctx.t('ms.tenants.ask'), CB.tenants(1)));
      case 'card': {
        await this.sessions.clearStep(admin);
        const card = await this.tenants.tenantCard(cb.botId);
        ctx.answerCallback();
        return ctx.show(tenantCardScreen(ctx.lang, card));
      }
      case 'suspendAsk': {
        const card = await this.tenants.tenantCard(cb.botId);
        if (card.status === 'suspended') return ctx.answerCallback(ctx.t('ms.suspend.already'), true);
        await this.sessions.setStep(admin, { step: 'reason', botId: card.id });
        ctx.answerCallback();
        return ctx.show(
          promptScreen(ctx.lang, ctx.t('ms.suspend.ask', { name: { html: tenantName(card) } }), CB.card(card.id)),
        );
      }
      case 'suspendConfirm':
        return this.suspend(ctx, cb.botId, actor);
      case 'resumeAsk': {
        const card = await this.tenants.tenantCard(cb.botId);
        if (card.status !== 'suspended') return ctx.answerCallback(ctx.t('ms.resume.notSuspended'), true);
        ctx.answerCallback();
        return ctx.show(
          confirmScreen(
            ctx.lang,
            ctx.t('ms.resume.confirm', { name: { html: tenantName(card) } }),
            CB.resumeConfirm(card.id),
            CB.card(card.id),
          ),
        );
      }
      case 'resumeConfirm':
        return this.resume(ctx, cb.botId, actor);
      case 'topUpAsk': {
        const card = await this.tenants.tenantCard(cb.botId);
        await this.sessions.setStep(admin, { step: 'amount', botId: card.id });
        ctx.answerCallback();
        return ctx.show(
          promptScreen(
            ctx.lang,
            ctx.t('ms.topUp.ask', { name: { html: tenantName(card) }, currency: card.currency }),
            CB.card(card.id),
          ),
        );
      }
      case 'topUpConfirm':
        return this.topUp(ctx, cb.botId, cb.amountMinor, cb.nonce, actor);
      case 'adjustAsk': {
        const card = await this.tenants.tenantCard(cb.botId);
        await this.sessions.setStep(admin, { step: 'adjust', botId: card.id });
        ctx.answerCallback();
        return ctx.show(
          promptScreen(
            ctx.lang,
            ctx.t('ms.adjust.ask', { name: { html: tenantName(card) }, currency: card.currency }),
            CB.card(card.id),
          ),
        );
      }
      case 'adjustConfirm':
        return this.adjust(ctx, cb.botId, cb.nonce, actor);
      case 'price': {
        const card = await this.tenants.tenantCard(cb.botId);
        const price = await this.bots.getWholesalePrice(card.id);
        ctx.answerCallback();
        return ctx.show(priceScreen(ctx.lang, card, price));
      }
      case 'priceAsk': {
        const card = await this.tenants.tenantCard(cb.botId);
        await this.sessions.setStep(admin, { step: 'price', botId: card.id });
        ctx.answerCallback();
        return ctx.show(promptScreen(ctx.lang, ctx.t('ms.price.ask'), CB.price(card.id)));
      }
      case 'priceConfirm': {
        const step = await this.sessions.step(admin);
        if (step?.step !== 'priceGiven' || step.botId !== cb.botId) {
          return ctx.answerCallback(ctx.t('ms.input.expired'), true);
        }
        const card = await this.tenants.tenantCard(cb.botId);
        await this.bots.setWholesalePrice(card.id, step.price, actor);
        await this.sessions.clearStep(admin);
        ctx.answerCallback();
        return ctx.show(
          doneScreen(ctx.lang, ctx.t('ms.price.done', { name: { html: tenantName(card) } }), CB.price(card.id)),
        );
      }
      case 'features':
        ctx.answerCallback();
        return this.showFeatures(ctx, cb.botId);
      case 'featureToggle': {
        const key = MASTER_FEATURE_KEYS[cb.index];
        if (!key) return ctx.answerCallback(ctx.t('common.unavailable'));
        const card = await this.tenants.tenantCard(cb.botId);
        await this.bots.setFeatureAllowed(card.id, key, cb.allow, actor);
        ctx.answerCallback(ctx.t('ms.features.changed'));
        return this.showFeatures(ctx, card.id);
      }
      case 'invites':
        ctx.answerCallback();
        return this.showInvites(ctx, cb.page);
      case 'inviteCreate': {
        const invite = await this.invites.create({}, actor);
        ctx.answerCallback();
        return ctx.show(inviteCreatedScreen(ctx.lang, invite, this.config.PUBLIC_BASE_URL));
      }
      case 'inviteRevokeAsk': {
        const invite = await this.findInvite(cb.inviteId);
        if (!invite || invite.state !== 'active') return ctx.answerCallback(ctx.t('common.unavailable'), true);
        ctx.answerCallback();
        return ctx.show(
          confirmScreen(
            ctx.lang,
            ctx.t('ms.invites.revokeConfirm', { code: invite.code }),
            CB.inviteRevokeConfirm(invite.id),
            CB.invites(1),
          ),
        );
      }
      case 'inviteRevokeConfirm': {
        const invite = await this.invites.revoke(cb.inviteId, actor);
        ctx.answerCallback();
        return ctx.show(doneScreen(ctx.lang, ctx.t('ms.invites.revoked', { code: invite.code }), CB.invites(1)));
      }
      case 'panels':
        ctx.answerCallback();
        return this.showPanels(ctx);
      case 'panelPause':
      case 'panelResume': {
        const pause = cb.kind === 'panelPause';
        const panel = pause ? await this.panels.pause(cb.panelId, actor) : await this.panels.resume(cb.panelId, actor);
        ctx.answerCallback(
          translate(ctx.lang, pause ? 'ms.panels.pausedDone' : 'ms.panels.resumedDone', { name: panel.name })
            .replace(/<[^>]+>/g, '')
            .slice(0, 190),
        );
        return this.showPanels(ctx);
      }
      case 'stats':
        ctx.answerCallback();
        return this.showStats(ctx, cb.period);
    }
  }

  // ── actions ───────────────────────────────────────────────────────────────────────────────────────────

  private async suspend(ctx: BotContext, botId: string, actor: Actor): Promise<void> {
    const admin = adminOf(ctx);
    const step = await this.sessions.step(admin);
    if (step?.step !== 'reasonGiven' || step.botId !== botId) {
      return ctx.answerCallback(ctx.t('ms.input.expired'), true);
    }
    const before = await this.tenants.tenantCard(botId);
    if (before.status === 'suspended') {
      await this.sessions.clearStep(admin);
      return ctx.answerCallback(ctx.t('ms.suspend.already'), true);
    }
    // BotAdminService tells the owner (with the change, through the outbox).
    await this.bots.suspend(botId, actor, step.reason);
    await this.sessions.clearStep(admin);
    ctx.answerCallback();
    ctx.show(doneScreen(ctx.lang, ctx.t('ms.suspend.done', { name: { html: tenantName(before) } }), CB.card(botId)));
  }

  private async resume(ctx: BotContext, botId: string, actor: Actor): Promise<void> {
    const before = await this.tenants.tenantCard(botId);
    if (before.status !== 'suspended') return ctx.answerCallback(ctx.t('ms.resume.notSuspended'), true);
    await this.bots.resume(botId, actor);
    ctx.answerCallback();
    ctx.show(doneScreen(ctx.lang, ctx.t('ms.resume.done', { name: { html: tenantName(before) } }), CB.card(botId)));
  }

  private async topUp(ctx: BotContext, botId: string, amountMinor: number, nonce: string, actor: Actor): Promise<void> {
    const card = await this.tenants.tenantCard(botId);
    const result = await this.topUps.execute({
      botId,
      amountMinor,
      note: 'master bot',
      // The nonce came with the confirm button: a second tap on it (or a redelivered update) is the same top-up.
      idempotencyKey: `master-bot:${nonce}`,
      actor,
    });
    if (result.replayed) return ctx.answerCallback(ctx.t('ms.topUp.replayed'), true);
    const after = await this.tenants.tenantCard(botId);
    ctx.answerCallback();
    ctx.show(
      doneScreen(
        ctx.lang,
        ctx.t('ms.topUp.done', {
          amount: formatMoney(ctx.lang, amountMinor, card.currency),
          name: { html: tenantName(card) },
          free: formatMoney(ctx.lang, after.walletBalanceMinor - after.walletHeldMinor, after.currency),
        }),
        CB.card(botId),
      ),
    );
  }

  private async adjust(ctx: BotContext, botId: string, nonce: string, actor: Actor): Promise<void> {
    const admin = adminOf(ctx);
    const step = await this.sessions.step(admin);
    if (step?.step !== 'adjustGiven' || step.botId !== botId || step.nonce !== nonce) {
      return ctx.answerCallback(ctx.t('ms.input.expired'), true);
    }
    const card = await this.tenants.tenantCard(botId);
    let replayed: boolean;
    try {
      ({ replayed } = await this.adjustments.execute({
        botId,
        amountMinor: step.amountMinor,
        note: step.note,
        // The nonce came with the confirm button: a second tap on it (or a redelivered update) is the same adjustment.
        idempotencyKey: `master-bot:${nonce}`,
        actor,
      }));
    } catch (err) {
      if (!DomainError.is(err, ErrorCode.INSUFFICIENT_WHOLESALE_BALANCE)) throw err;
      await this.sessions.clearStep(admin);
      return ctx.answerCallback(ctx.t('ms.adjust.insufficient'), true);
    }
    await this.sessions.clearStep(admin);
    if (replayed) return ctx.answerCallback(ctx.t('ms.adjust.replayed'), true);
    const after = await this.tenants.tenantCard(botId);
    const money = (n: number) => formatMoney(ctx.lang, n, after.currency);
    ctx.answerCallback();
    ctx.show(
      doneScreen(
        ctx.lang,
        ctx.t(step.amountMinor > 0 ? 'ms.adjust.doneCredit' : 'ms.adjust.doneDebit', {
          amount: money(Math.abs(step.amountMinor)),
          name: { html: tenantName(card) },
          balance: money(after.walletBalanceMinor),
          free: money(after.walletBalanceMinor - after.walletHeldMinor),
        }),
        CB.card(botId),
      ),
    );
  }

  // ── screens that read ─────────────────────────────────────────────────────────────────────────────────

  private async showTenants(ctx: BotContext, page: number, search: string | null): Promise<void> {
    const result = await this.tenants.tenants(page, PAGE_SIZE, search ?? undefined);
    ctx.show(tenantsScreen(ctx.lang, result, search));
  }

  private async showFeatures(ctx: BotContext, botId: string): Promise<void> {
    const card = await this.tenants.tenantCard(botId);
    const views = new Map((await this.features.list(card.id)).map((f) => [f.key, f.allowed]));
    const rows = MASTER_FEATURE_KEYS.map((key) => ({ key, allowed: views.get(key) ?? false }));
    ctx.show(featuresScreen(ctx.lang, card, rows));
  }

  private async showInvites(ctx: BotContext, page: number): Promise<void> {
    ctx.show(invitesScreen(ctx.lang, await this.invites.list(page, PAGE_SIZE)));
  }

  private async findInvite(id: string) {
    // Invites are few and listed newest first; the revoke button is only offered for those on screen.
    for (let page = 1; page <= 20; page++) {
      const p = await this.invites.list(page, 50);
      const hit = p.items.find((i) => i.id === id);
      if (hit) return hit;
      if (p.items.length < 50) return null;
    }
    return null;
  }

  private async showPanels(ctx: BotContext): Promise<void> {
    ctx.show(panelsScreen(ctx.lang, await this.panels.list()));
  }

  private async showStats(ctx: BotContext, period: 'today' | '7d' | '30d'): Promise<void> {
    const [stats, totals] = await Promise.all([this.tenants.periodStats(period), this.tenants.platformTotals()]);
    ctx.show(statsScreen(ctx.lang, period, stats, totals));
  }
}

/** A tenant's name for a line of HTML: cleaned, clipped, escaped and direction-isolated. */
function tenantName(card: TenantCard): string {
  return plain(card.name, 100) || '—';
}
