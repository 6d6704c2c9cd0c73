import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '@botfleet/common';
import { BotEntity } from '@botfleet/dal';
import { generateApiToken, randomSecret, SecretBox, sha256Hex, TokenHasher, tokenPrefix } from '@botfleet/secrets';
import { TelegramBotApi } from '@botfleet/telegram';
import { Actor, isMaster } from '../actor';
import { BotEventsPublisher } from '../bots/bot-events.publisher';
import { BotView, toBotView } from '../bots/bot-view';
import { uniqueViolation } from '../db-errors';
import { PlatformDb } from '../platform-db';
import { PlatformAuditService } from '../platform-audit.service';

export interface OnboardBotInput {
  name: string;
  telegramBotToken: string;
  ownerTelegramId: number;
  inviteCode?: string;
  defaultLanguage?: 'fa' | 'en' | 'ru';
  currency?: string;
  supportUsername?: string;
  adminChatId?: number;
}

export interface OnboardedBot {
  bot: BotView;
  /** Shown once, here; only its SHA-256 is stored. */
  apiToken: string;
}

/** An invite can be used when it is unused, unrevoked and unexpired. */
const USABLE_INVITE = `used_at IS NULL AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`;

const tokenTaken = () =>
  new DomainError(ErrorCode.BOT_TOKEN_TAKEN, 'This Telegram bot is already registered on the platform');
const inviteInvalid = () =>
  new DomainError(ErrorCode.INVITE_INVALID, 'The invite code is missing, unknown, expired, revoked or already used');

/**
 * `POST /v1/bots` (API.md): a reseller joins with a single-use invite, or the master registers a bot.
 * The Telegram token is checked with getMe, stored only encrypted (bot id as associated data) plus an
 * HMAC for uniqueness; the API token is generated here and only its hash is kept. Everything —
 * the bot, the consumed invite, the owner as first admin, the audit rows — commits in one
 * platform transaction; the invite is consumed by a conditional update, so of two concurrent
 * registrations with one code exactly one succeeds.
 */
@Injectable()
export class OnboardBotUseCase {
  constructor(
    private readonly platform: PlatformDb,
    private readonly box: SecretBox,
    private readonly hasher: TokenHasher,
    private readonly telegram: TelegramBotApi,
    private readonly audit: PlatformAuditService,
    private readonly events: BotEventsPublisher,
  ) {}

  async execute(input: OnboardBotInput, caller: Actor | undefined): Promise<OnboardedBot> {
    const master = caller !== undefined && isMaster(caller);
    const inviteCode = input.inviteCode;
    if (!master && !inviteCode) throw inviteInvalid();
    // Cheap checks first, so a bad invite or a known token never costs a call to Telegram.
    if (inviteCode) {
      const rows: unknown[] = await this.platform.manager.query(
        `SELECT id FROM invites WHERE code = $1 AND ${USABLE_INVITE}`,
        [inviteCode],
      );
      if (!rows.length) throw inviteInvalid();
    }
    const tokenHash = this.hasher.hmac(input.telegramBotToken);
    if (await this.exists(`telegram_token_hash = $1`, [tokenHash])) throw tokenTaken();

    const me = await this.telegram.getMe(input.telegramBotToken);
    if (await this.exists(`telegram_bot_id = $1`, [me.id])) throw tokenTaken();

    const botId = randomUUID();
    const apiToken = generateApiToken();
    let bot: BotEntity;
    try {
      bot = await this.platform.transaction(async (m) => {
        await m.insert(BotEntity, {
          id: botId,
          name: input.name,
          status: 'active',
          isMaster: false,
          telegramBotId: me.id,
          telegramUsername: me.username,
          telegramTokenCiphertext: this.box.encrypt(input.telegramBotToken, botId),
          telegramTokenKeyVersion: this.box.currentVersion,
          telegramTokenHash: tokenHash,
          apiTokenHash: sha256Hex(apiToken),
          apiTokenPrefix: tokenPrefix(apiToken),
          ownerTelegramId: input.ownerTelegramId,
          defaultLanguage: input.defaultLanguage ?? 'fa',
          currency: input.currency ?? 'IRR',
          supportUsername: input.supportUsername ?? null,
          adminChatId: input.adminChatId ?? null,
          webhookSecretSalt: randomSecret(24),
          createdBy: master ? 'master' : 'invite',
        });
        const inviteId = inviteCode ? await this.consumeInvite(m, inviteCode, botId) : undefined;
        await m.query(`INSERT INTO bot_admins (bot_id, telegram_id, is_owner) VALUES ($1, $2, true)`, [
          botId,
          input.ownerTelegramId,
        ]);
        const created = await m.findOneByOrFail(BotEntity, { id: botId });
        const after = { ...toBotView(created), inviteId };
        await this.audit.tenant(m, botId, {
          actorType: master ? 'master' : 'tenant_api',
          actorId: master ? 'master' : botId,
          action: 'bot.created',
          targetType: 'bot',
          targetId: botId,
          after,
        });
        await this.audit.operator(m, master ? caller! : `invite:${inviteId}`, {
          action: 'bot.onboarded',
          targetType: 'bot',
          targetId: botId,
          targetBotId: botId,
          after,
        });
        return created;
      });
    } catch (err) {
      const constraint = uniqueViolation(err);
      if (constraint !== undefined && /telegram_(token_hash|bot_id)/.test(constraint)) throw tokenTaken();
      throw err;
    }
    await this.events.publish(botId, 'created');
    return { bot: toBotView(bot), apiToken };
  }

  private async consumeInvite(m: EntityManager, code: string, botId: string): Promise<string> {
    const rows: { id: string }[] = await m.query(
      `UPDATE invites SET used_at = now(), used_by_bot_id = $2, updated_at = now()
       WHERE code = $1 AND ${USABLE_INVITE} RETURNING id`,
      [code, botId],
    );
    // typeorm returns [rows, count] for UPDATE … RETURNING.
    const list = (Array.isArray(rows[0]) ? rows[0] : rows) as { id: string }[];
    if (!list.length) throw inviteInvalid();
    return list[0].id;
  }

  private async exists(where: string, params: unknown[]): Promise<boolean> {
    const rows: unknown[] = await this.platform.manager.query(
      `SELECT 1 FROM bots WHERE ${where} AND status <> 'deleted' LIMIT 1`,
      params,
    );
    return rows.length > 0;
  }
}
