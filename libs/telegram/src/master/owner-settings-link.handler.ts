import { Injectable } from '@nestjs/common';
import { ClsService, ClsServiceManager } from 'nestjs-cls';
import { Composer, MiddlewareFn } from 'telegraf';
import type { InlineKeyboardButton } from 'telegraf/types';
import { IssueOwnerSettingsLinkUseCase } from '@botfleet/bots';
import type { Language } from '@botfleet/catalog';
import { DomainError } from '@botfleet/common';
import { consoleLinkScreen } from '../admin/console-link';
import type { BotContext } from '../context/bot-context';
import { replyFor } from '../errors/reply-for';
import { translate } from '../i18n/translate';
import { packUuid, unpackUuid } from '../sales/sale-callbacks';
import { buttonLabel } from '../text/html';

/** The revoked-token notice's button (prefix `mo:`, the master bot speaking to a shop's owner). */
export const OwnerSettingsCallbacks = { open: (botId: string) => `mo:s:${packUuid(botId)}` };

/** The bot id of an "Open Settings" tap, or null for anything that is not exactly one. */
export function parseOwnerSettingsCallback(data: string | undefined): string | null {
  const m = data && data.length <= 64 ? /^mo:s:([A-Za-z0-9_-]{22})$/.exec(data) : null;
  return m ? unpackUuid(m[1]) : null;
}

/** The "🖥 Open Settings" button under the master bot's revoked-token notice. */
export function ownerSettingsButton(lang: Language, botId: string): InlineKeyboardButton {
  return {
    text: buttonLabel(translate(lang, 'owner.btn.openSettings')),
    callback_data: OwnerSettingsCallbacks.open(botId),
  };
}

/**
 * The master bot's answer to "Open Settings" under a revoked-token notice: a one-time console sign-in link to the
 * bot's Settings, for its owner only (IssueOwnerSettingsLinkUseCase decides). Anyone may tap a forwarded notice,
 * so this runs for every sender in the master bot's private chats; anyone but the owner is refused.
 */
@Injectable()
export class OwnerSettingsLinkHandler {
  readonly middleware: MiddlewareFn<BotContext>;
  private readonly cls: ClsService = ClsServiceManager.getClsService();

  constructor(private readonly issue: IssueOwnerSettingsLinkUseCase) {
    this.middleware = Composer.optional<BotContext>(
      (ctx) => !!ctx.profile?.isMaster && ctx.chat?.type === 'private' && this.botIdOf(ctx) !== null,
      (ctx) => this.open(ctx),
    );
  }

  private botIdOf(ctx: BotContext): string | null {
    const q = ctx.callbackQuery;
    return q && 'data' in q ? parseOwnerSettingsCallback(q.data) : null;
  }

  private async open(ctx: BotContext): Promise<void> {
    const botId = this.botIdOf(ctx)!;
    const from = ctx.from;
    if (!from || from.is_bot) return ctx.answerCallback(ctx.t('owner.settingsRefused'), true);
    try {
      // Another tenant's bot: its transaction is opened outside the master bot's update transaction.
      const result = await this.cls.run({ ifNested: 'override' }, () => this.issue.execute(botId, from.id));
      if (result.kind === 'notOwner') return ctx.answerCallback(ctx.t('owner.settingsRefused'), true);
      if (result.kind === 'notNeeded') return ctx.answerCallback(ctx.t('owner.settingsNotNeeded'), true);
      ctx.answerCallback();
      const ttl = (result.link.expiresAt.getTime() - Date.now()) / 1000;
      const screen = consoleLinkScreen(ctx.lang, result.link.url, ttl);
      ctx.say(screen.text, screen.keyboard?.length ? { reply_markup: { inline_keyboard: screen.keyboard } } : {});
    } catch (err) {
      if (!DomainError.is(err)) throw err;
      ctx.answerCallback(ctx.t(replyFor(err.code)), true);
    }
  }
}
