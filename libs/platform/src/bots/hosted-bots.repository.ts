import { Injectable } from '@nestjs/common';
import { isUuid } from '@botfleet/common';
import { BotEntity } from '@botfleet/dal';
import { PlatformDb } from '../platform-db';

type Language = BotEntity['defaultLanguage'];

/** A bot as the supervisor needs it (platform path: every tenant's row). Holds the token only encrypted. */
export interface HostedBotRow {
  id: string;
  name: string;
  status: 'active' | 'paused' | 'suspended' | 'token_invalid' | 'deleted';
  isMaster: boolean;
  telegramBotId: number;
  telegramUsername: string;
  tokenCiphertext: string;
  tokenHash: string;
  ownerTelegramId: number;
  defaultLanguage: Language;
  webhookSecretSalt: string;
  /** bots.updated_at (ms): with the token hash, tells the reconcile whether its copy is current. */
  updatedAtMs: number;
}

/** The little the reconcile reads of every runnable bot each round. */
export interface HostedBotVersion {
  id: string;
  tokenHash: string;
  updatedAtMs: number;
}

interface Raw {
  id: string;
  name: string;
  status: HostedBotRow['status'];
  is_master: boolean;
  telegram_bot_id: string;
  telegram_username: string;
  telegram_token_ciphertext: string;
  telegram_token_hash: string;
  owner_telegram_id: string;
  default_language: Language;
  webhook_secret_salt: string;
  updated_at: Date;
}

const COLUMNS = `id, name, status, is_master, telegram_bot_id, telegram_username, telegram_token_ciphertext,
  telegram_token_hash, owner_telegram_id, default_language, webhook_secret_salt, updated_at`;

const toRow = (r: Raw): HostedBotRow => ({
  id: r.id,
  name: r.name,
  status: r.status,
  isMaster: r.is_master,
  telegramBotId: Number(r.telegram_bot_id),
  telegramUsername: r.telegram_username,
  tokenCiphertext: r.telegram_token_ciphertext,
  tokenHash: r.telegram_token_hash.trim(),
  ownerTelegramId: Number(r.owner_telegram_id),
  defaultLanguage: r.default_language,
  webhookSecretSalt: r.webhook_secret_salt,
  updatedAtMs: new Date(r.updated_at).getTime(),
});

/** The supervisor's cross-tenant reads and writes of `bots` (DATA.md: the explicit platform path). */
@Injectable()
export class HostedBotsRepository {
  constructor(private readonly platform: PlatformDb) {}

  /** Id, token hash and last change of every runnable bot: cheap enough to read every few seconds. */
  async listRunnableVersions(): Promise<HostedBotVersion[]> {
    const rows: { id: string; h: string; u: Date }[] = await this.platform.manager.query(
      `SELECT id, telegram_token_hash AS h, updated_at AS u FROM bots WHERE status = 'active'`,
    );
    return rows.map((r) => ({ id: r.id, tokenHash: r.h.trim(), updatedAtMs: new Date(r.u).getTime() }));
  }

  /** Full rows of the given bots that are runnable. */
  async getRunnable(ids: string[]): Promise<HostedBotRow[]> {
    if (!ids.length) return [];
    const rows: Raw[] = await this.platform.manager.query(
      `SELECT ${COLUMNS} FROM bots WHERE id = ANY($1::uuid[]) AND status = 'active'`,
      [ids],
    );
    return rows.map(toRow);
  }

  async get(botId: string): Promise<HostedBotRow | null> {
    if (!isUuid(botId)) return null;
    const rows: Raw[] = await this.platform.manager.query(`SELECT ${COLUMNS} FROM bots WHERE id = $1`, [botId]);
    return rows.length ? toRow(rows[0]) : null;
  }

  async getMaster(): Promise<HostedBotRow | null> {
    const rows: Raw[] = await this.platform.manager.query(`SELECT ${COLUMNS} FROM bots WHERE is_master`);
    return rows.length ? toRow(rows[0]) : null;
  }

  /**
   * Telegram rejected the token (401): mark the bot token_invalid, only if it is still active with that
   * very token (a token replaced meanwhile is not blamed). True for the one caller that changed it, so
   * the owner is told once however many workers saw the 401.
   */
  async markTokenInvalid(botId: string, tokenHash: string): Promise<boolean> {
    const res: [unknown[], number] = await this.platform.manager.query(
      `UPDATE bots SET status = 'token_invalid', updated_at = now()
        WHERE id = $1 AND status = 'active' AND telegram_token_hash = $2`,
      [botId, tokenHash],
    );
    return res[1] > 0;
  }
}
