import { Injectable } from '@nestjs/common';
import { AuditService } from '@botfleet/audit';
import { TelegramBotApi } from '@botfleet/bot-api';
import { Actor, DomainError, ErrorCode, isMasterActor } from '@botfleet/common';
import { BotAdminsRepository, BotEntity, BotSelfRepository, TenantDb, uniqueViolation } from '@botfleet/dal';
import { generateApiToken, SecretBox, sha256Hex, TokenHasher, tokenPrefix } from '@botfleet/secrets';
import { AdminAccessService } from './admins/admin-access.service';
import { AdminRole } from './admins/admin-roles';
import { BotEventType } from './bot-events';
import { BotEventsPublisher } from './bot-events.publisher';
import { BOT_SETTING_FIELDS, BotSettingsPatch, BotView, toBotView } from './bot-view';
import { assertCurrencyMayChange } from './currency-lock';

/** A bot has at most this many Telegram admins, the owner included. */
export const MAX_BOT_ADMINS = 20;

export interface BotAdminsView {
  ownerTelegramId: number;
  /** Every admin's Telegram id, the owner first (the older form of `admins`). */
  telegramIds: number[];
  /** Every admin with their role, the owner first. */
  admins: { telegramId: number; role: AdminRole }[];
}

/** One wanted admin: the older `telegramIds` form means role 'admin'. */
export interface WantedBotAdmin {
  telegramId: number;
  role: AdminRole;
}

const notFound = () => new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');

/**
 * What a tenant (or the master on its behalf) does to its own bot: read it, change settings,
 * pause/resume, replace the Telegram token, rotate the API token, delete it, manage its admins.
 * Runs on the tenant path (application role, RLS on `bots.id`), each change together with its
 * audit row in one tenant transaction; bot events go out after the commit.
 */
@Injectable()
export class BotSettingsService {
  constructor(
    private readonly db: TenantDb,
    private readonly self: BotSelfRepository,
    private readonly admins: BotAdminsRepository,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    private readonly hasher: TokenHasher,
    private readonly telegram: TelegramBotApi,
    private readonly events: BotEventsPublisher,
    private readonly access: AdminAccessService,
  ) {}

  async get(botId: string): Promise<BotView> {
    return this.db.run(botId, async () => toBotView(await this.load(botId)));
  }

  async update(botId: string, patch: BotSettingsPatch, actor: Actor): Promise<BotView> {
    const { view, events } = await this.db.run(botId, async () => {
      const bot = await this.load(botId, true);
      this.assertTenantMayWrite(bot, actor);
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      for (const field of BOT_SETTING_FIELDS) {
        const value = patch[field];
        if (value === undefined || value === bot[field]) continue;
        before[field] = bot[field];
        after[field] = value;
      }
      if (after.currency !== undefined) await assertCurrencyMayChange(this.self, botId, after.currency as string);
      const events: BotEventType[] = [];
      if (patch.status !== undefined && patch.status !== bot.status) {
        if (bot.status === 'suspended') {
          throw new DomainError(ErrorCode.CONFLICT, 'The bot is suspended; only the platform can resume it');
        }
        if (bot.status === 'token_invalid') {
          throw new DomainError(
            ErrorCode.CONFLICT,
            'Telegram rejected this bot token; replace it with PUT /telegram-token first',
          );
        }
        before.status = bot.status;
        after.status = patch.status;
        events.push(patch.status === 'paused' ? 'paused' : 'resumed');
      }
      if (!Object.keys(after).length) return { view: toBotView(bot), events };
      const { status, ...settings } = after;
      if (Object.keys(settings).length) {
        events.push('changed');
        await this.self.update(botId, settings);
      }
      if (status !== undefined) await this.self.setStatus(botId, status as 'active' | 'paused');
      await this.audit.record(botId, {
        actor,
        action: 'bot.updated',
        targetType: 'bot',
        targetId: botId,
        before,
        after,
      });
      return { view: toBotView(await this.load(botId)), events };
    });
    for (const e of events) await this.events.publish(botId, e);
    return view;
  }

  /**
   * Replaces the Telegram token after getMe accepts it. It must belong to the same Telegram bot,
   * unless the master explicitly allows another one. A bot stopped as `token_invalid` runs again.
   */
  async replaceTelegramToken(botId: string, token: string, actor: Actor, allowDifferentBot = false): Promise<BotView> {
    if (allowDifferentBot && !isMasterActor(actor)) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'Only the platform may move a bot to another Telegram bot');
    }
    const me = await this.telegram.getMe(token);
    try {
      const view = await this.db.run(botId, async () => {
        const bot = await this.load(botId, true);
        this.assertTenantMayWrite(bot, actor);
        if (me.id !== bot.telegramBotId && !allowDifferentBot) {
          throw new DomainError(
            ErrorCode.TELEGRAM_BOT_MISMATCH,
            `This token belongs to another Telegram bot (@${me.username}), not @${bot.telegramUsername}`,
          );
        }
        const before = { telegramBotId: bot.telegramBotId, telegramUsername: bot.telegramUsername, status: bot.status };
        const after = {
          telegramBotId: me.id,
          telegramUsername: me.username,
          status: bot.status === 'token_invalid' ? ('active' as const) : bot.status,
        };
        await this.self.replaceTelegramToken(botId, {
          telegramBotId: me.id,
          telegramUsername: me.username,
          ciphertext: this.box.encrypt(token, botId),
          keyVersion: this.box.currentVersion,
          hash: this.hasher.hmac(token),
        });
        await this.audit.record(botId, {
          actor,
          action: 'bot.telegram_token_replaced',
          targetType: 'bot',
          targetId: botId,
          before,
          after,
        });
        return toBotView(await this.load(botId));
      });
      await this.events.publish(botId, 'token_replaced');
      return view;
    } catch (err) {
      const constraint = uniqueViolation(err);
      if (constraint !== undefined && /telegram_(token_hash|bot_id)/.test(constraint)) {
        throw new DomainError(ErrorCode.BOT_TOKEN_TAKEN, 'This Telegram bot is registered to another tenant');
      }
      throw err;
    }
  }

  /** A new API token, shown once; the old hash is overwritten, so the old token fails at once. */
  async rotateApiToken(botId: string, actor: Actor): Promise<{ apiToken: string; apiTokenPrefix: string }> {
    const apiToken = generateApiToken();
    const prefix = tokenPrefix(apiToken);
    await this.db.run(botId, async () => {
      const bot = await this.load(botId, true);
      this.assertTenantMayWrite(bot, actor);
      await this.self.setApiToken(botId, sha256Hex(apiToken), prefix);
      await this.audit.record(botId, {
        actor,
        action: 'bot.api_token_rotated',
        targetType: 'bot',
        targetId: botId,
        before: { prefix: bot.apiTokenPrefix },
        after: { prefix },
      });
    });
    // The old token stops at once: every API process drops what it remembered about this bot.
    await this.events.publish(botId, 'api_token_rotated');
    return { apiToken, apiTokenPrefix: prefix };
  }

  /** Soft delete: the bot stops, its API token and console sessions die, its data stays. */
  async delete(botId: string, actor: Actor): Promise<void> {
    await this.db.run(botId, async () => {
      const bot = await this.load(botId, true);
      this.assertTenantMayWrite(bot, actor);
      await this.self.softDelete(botId);
      // Its console sessions end with it (the guard refused them, but they stayed live rows).
      const sessionsEnded = await this.self.endConsoleSessions(botId);
      await this.audit.record(botId, {
        actor,
        action: 'bot.deleted',
        targetType: 'bot',
        targetId: botId,
        before: { status: bot.status },
        after: { status: 'deleted', sessionsEnded },
      });
    });
    await this.events.publish(botId, 'deleted');
  }

  async getAdmins(botId: string): Promise<BotAdminsView> {
    return this.db.run(botId, async () => {
      const bot = await this.load(botId);
      return this.adminsView(botId, bot.ownerTelegramId);
    });
  }

  /** The older form: the admin list as Telegram ids, each an `admin`; the owner is always kept (added back). */
  setAdmins(botId: string, telegramIds: number[], actor: Actor): Promise<BotAdminsView> {
    const wanted = telegramIds.map((telegramId) => ({ telegramId, role: 'admin' as const }));
    return this.setAdminRoles(botId, wanted, actor, 'telegramIds');
  }

  /**
   * Replaces the admin list with roles; the owner is always kept as 'owner' (added back when left out) and
   * cannot be demoted here, and no one else may be made owner. `field` names the request field in errors.
   */
  async setAdminRoles(
    botId: string,
    wanted: WantedBotAdmin[],
    actor: Actor,
    field: 'admins' | 'telegramIds' = 'admins',
  ): Promise<BotAdminsView> {
    const { view, changed } = await this.db.run(botId, async () => {
      const bot = await this.load(botId, true);
      this.assertTenantMayWrite(bot, actor);
      await this.access.authorize(botId, actor, 'admins');
      const list = this.wantedList(bot.ownerTelegramId, wanted, field);
      const before = await this.adminsView(botId, bot.ownerTelegramId);
      await this.admins.replaceAll(botId, list);
      const after = await this.adminsView(botId, bot.ownerTelegramId);
      const changed = JSON.stringify(before) !== JSON.stringify(after);
      if (changed) {
        await this.audit.record(botId, {
          actor,
          action: 'bot.admins_replaced',
          targetType: 'bot',
          targetId: botId,
          before,
          after,
        });
      }
      return { view: after, changed };
    });
    if (changed) await this.events.publish(botId, 'changed');
    return view;
  }

  private wantedList(ownerTelegramId: number, wanted: WantedBotAdmin[], field: string): WantedBotAdmin[] {
    const invalid = (index: number, error: string) =>
      new DomainError(ErrorCode.VALIDATION_FAILED, error, [{ field: `${field}.${index}`, errors: [error] }]);
    const seen = new Set<number>();
    const list: WantedBotAdmin[] = [{ telegramId: ownerTelegramId, role: 'owner' }];
    for (const [i, w] of wanted.entries()) {
      if (seen.has(w.telegramId)) {
        if (field === 'telegramIds') continue; // the older form always took repeats
        throw invalid(i, 'this Telegram id is listed twice');
      }
      seen.add(w.telegramId);
      if (w.telegramId === ownerTelegramId) {
        if (w.role !== 'owner' && field === 'admins') throw invalid(i, 'the owner cannot be demoted');
        continue;
      }
      if (w.role === 'owner') throw invalid(i, 'only the bot owner has the owner role');
      list.push(w);
    }
    if (list.length > MAX_BOT_ADMINS) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, `A bot has at most ${MAX_BOT_ADMINS} admins`, [
        { field, errors: [`at most ${MAX_BOT_ADMINS} admins, the owner included`] },
      ]);
    }
    return list;
  }

  private async adminsView(botId: string, ownerTelegramId: number): Promise<BotAdminsView> {
    const rows = (await this.admins.list(botId)).filter((r) => r.telegramId !== ownerTelegramId);
    const admins = [
      { telegramId: ownerTelegramId, role: 'owner' as const },
      ...rows.map((r) => ({ telegramId: r.telegramId, role: r.role })),
    ];
    return { ownerTelegramId, telegramIds: admins.map((a) => a.telegramId), admins };
  }

  private async load(botId: string, lock = false): Promise<BotEntity> {
    const bot = await this.self.get(botId, lock ? 'pessimistic_write' : undefined);
    if (!bot || bot.status === 'deleted') throw notFound();
    return bot;
  }

  /** Re-checked under the row lock: a suspension that lands mid-request still wins. */
  private assertTenantMayWrite(bot: BotEntity, actor: Actor): void {
    if (bot.status === 'suspended' && !isMasterActor(actor)) {
      throw new DomainError(ErrorCode.BOT_SUSPENDED, 'This bot is suspended by the platform; changes are not possible');
    }
  }
}
