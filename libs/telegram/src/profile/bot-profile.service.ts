import { Injectable } from '@nestjs/common';
import {
  CONFIGURATION_KEYS,
  ConfigurationsService,
  FeaturesService,
  Language,
  Localized,
  MenuButton,
  validateSchema,
} from '@botfleet/catalog';
import { AppConfig } from '@botfleet/config';
import { BotAdminsRepository, BotSelfRepository, TenantDb } from '@botfleet/dal';
import { BotProfile } from './bot-profile';

type ProfileKey = 'welcome_text' | 'main_menu_buttons' | 'languages' | 'support_text';

/**
 * Loads a bot's profile through the tenant path (RLS) and caches it for BOT_SETTINGS_CACHE_MS, so a
 * busy bot reads its settings a few times a minute rather than on every update. Bot events clear the
 * entry (`invalidate`), so a reseller's change shows at once where the API announces it, and within the
 * cache time everywhere else.
 */
@Injectable()
export class BotProfileService {
  private readonly cache = new Map<string, { profile: BotProfile; expiresAt: number }>();
  private readonly loading = new Map<string, Promise<BotProfile | null>>();
  private readonly ttlMs: number;

  constructor(
    private readonly db: TenantDb,
    private readonly botSelf: BotSelfRepository,
    private readonly configurations: ConfigurationsService,
    private readonly features: FeaturesService,
    config: AppConfig,
    private readonly admins: BotAdminsRepository,
  ) {
    this.ttlMs = config.BOT_SETTINGS_CACHE_MS;
  }

  /** The bot's profile, or null when the bot does not exist (any more). */
  async get(botId: string): Promise<BotProfile | null> {
    const hit = this.cache.get(botId);
    if (hit && hit.expiresAt > Date.now()) return hit.profile;
    let pending = this.loading.get(botId);
    if (!pending) {
      pending = this.load(botId).finally(() => this.loading.delete(botId));
      this.loading.set(botId, pending);
    }
    return pending;
  }

  invalidate(botId: string): void {
    this.cache.delete(botId);
  }

  clear(): void {
    this.cache.clear();
  }

  private async load(botId: string): Promise<BotProfile | null> {
    const profile = await this.db.run(botId, async () => {
      const bot = await this.botSelf.get(botId);
      if (!bot) return null;
      const stored = new Map((await this.configurations.list(botId)).map((c) => [c.key, c.value]));
      const value = <K extends ProfileKey>(key: K): (typeof CONFIGURATION_KEYS)[K]['default'] => {
        const v = stored.get(key);
        // A value that no longer fits its schema (a later tightening) falls back to the default.
        if (v === undefined || validateSchema(CONFIGURATION_KEYS[key].schema, v).length) {
          return CONFIGURATION_KEYS[key].default;
        }
        return v as (typeof CONFIGURATION_KEYS)[K]['default'];
      };
      const p: BotProfile = {
        botId,
        name: bot.name,
        username: bot.telegramUsername,
        isMaster: bot.isMaster,
        ownerTelegramId: bot.ownerTelegramId,
        defaultLanguage: bot.defaultLanguage,
        supportUsername: bot.supportUsername,
        languages: [...(value('languages') as Language[])],
        welcomeText: value('welcome_text') as Localized,
        supportText: value('support_text') as Localized,
        menuButtons: value('main_menu_buttons') as MenuButton[][],
        features: await this.features.enabledSet(botId),
        adminTelegramIds: new Set((await this.admins.list(botId)).map((a) => a.telegramId)),
      };
      return p;
    });
    if (profile && this.ttlMs > 0) this.cache.set(botId, { profile, expiresAt: Date.now() + this.ttlMs });
    return profile;
  }
}
