import { Injectable } from '@nestjs/common';
import { MasterBotRepository } from '@botfleet/platform';
import { randomSecret, SecretBox, TokenHasher } from '@botfleet/secrets';

export interface MasterBotIdentity {
  /** The master bot's token (from MASTER_BOT_TOKEN); stored encrypted, looked up by HMAC. */
  token: string;
  /** What getMe said about the token. */
  telegramBotId: number;
  username: string;
  firstName: string;
  /** MASTER_ADMIN_TELEGRAM_IDS: the first one is the owner; admins not listed are removed. */
  adminTelegramIds: readonly number[];
}

/**
 * The `is_master` bot row (a platform row: the master bot belongs to no tenant). `register` creates it
 * or brings it up to date with the configured token and admins in one transaction; several workers
 * booting at once end with one row. The token is encrypted for the row's id, looked up by HMAC.
 */
@Injectable()
export class MasterBotRegistry {
  constructor(
    private readonly rows: MasterBotRepository,
    private readonly box: SecretBox,
    private readonly hasher: TokenHasher,
  ) {}

  register(identity: MasterBotIdentity): Promise<string> {
    return this.rows.upsert({
      name: (identity.firstName || 'Master').slice(0, 100),
      telegramBotId: identity.telegramBotId,
      telegramUsername: identity.username,
      tokenCiphertextFor: (botId) => this.box.encrypt(identity.token, botId),
      tokenKeyVersion: this.box.currentVersion,
      tokenHash: this.hasher.hmac(identity.token),
      adminTelegramIds: identity.adminTelegramIds,
      webhookSecretSalt: randomSecret(16),
    });
  }
}
