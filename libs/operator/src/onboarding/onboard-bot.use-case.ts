import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { TelegramBotApi } from '@botfleet/bot-api';
import { BotEventsPublisher, BotView, toBotView } from '@botfleet/bots';
import { Actor, Actors, DomainError, ErrorCode, isMasterActor } from '@botfleet/common';
import { BotEntity, DEFAULT_CURRENCY, uniqueViolation } from '@botfleet/dal';
import { OnboardingRepository, PlatformDb } from '@botfleet/platform';
import { generateApiToken, randomSecret, SecretBox, sha256Hex, TokenHasher, tokenPrefix } from '@botfleet/secrets';
import { OperatorAuditService } from '../operator-audit.service';

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
    private readonly onboarding: OnboardingRepository,
    private readonly box: SecretBox,
    private readonly hasher: TokenHasher,
    private readonly telegram: TelegramBotApi,
    private readonly audit: OperatorAuditService,
    private readonly events: BotEventsPublisher,
  ) {}

  async execute(input: OnboardBotInput, caller: Actor | undefined): Promise<OnboardedBot> {
    const master = caller !== undefined && isMasterActor(caller);
    const inviteCode = input.inviteCode;
    if (!master && !inviteCode) throw inviteInvalid();
    // Cheap checks first, so a bad invite or a known token never costs a call to Telegram.
    if (inviteCode && !(await this.onboarding.isUsableInvite(inviteCode))) throw inviteInvalid();
    const tokenHash = this.hasher.hmac(input.telegramBotToken);
    if (await this.onboarding.isTelegramBotTaken({ tokenHash })) throw tokenTaken();

    const me = await this.telegram.getMe(input.telegramBotToken);
    if (await this.onboarding.isTelegramBotTaken({ telegramBotId: me.id })) throw tokenTaken();

    const botId = randomUUID();
    const apiToken = generateApiToken();
    let bot: BotEntity;
    try {
      bot = await this.platform.transaction(async (m) => {
        const created = await this.onboarding.insertBot(m, {
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
          currency: input.currency ?? DEFAULT_CURRENCY,
          supportUsername: input.supportUsername ?? null,
          adminChatId: input.adminChatId ?? null,
          webhookSecretSalt: randomSecret(24),
          createdBy: master ? 'master' : 'invite',
        });
        const inviteId = inviteCode ? await this.consumeInvite(m, inviteCode, botId) : undefined;
        await this.onboarding.insertOwner(m, botId, input.ownerTelegramId);
        const after = { ...toBotView(created), inviteId };
        await this.audit.tenant(m, botId, master ? Actors.master() : Actors.tenantApi(botId), {
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
    const id = await this.onboarding.consumeInvite(m, code, botId);
    if (!id) throw inviteInvalid();
    return id;
  }
}
