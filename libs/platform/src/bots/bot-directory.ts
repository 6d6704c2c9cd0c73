import { Injectable } from '@nestjs/common';
import { PlatformDb } from '../platform-db';

/**
 * Questions about a bot asked before any tenant is known (platform path): which bot an API token
 * belongs to, a bot's status, what a webhook request is checked against. The apps call this rather
 * than querying the BYPASSRLS pool themselves.
 */
@Injectable()
export class BotDirectory {
  constructor(private readonly platform: PlatformDb) {}

  /** The bot whose API token hashes to `sha256`, with its status, unless it was deleted. */
  async tokenOwner(sha256: string): Promise<{ botId: string; status: string } | null> {
    const rows: { id: string; status: string }[] = await this.platform.manager.query(
      `SELECT id, status FROM bots WHERE api_token_hash = $1 AND status <> 'deleted'`,
      [sha256],
    );
    return rows.length === 1 ? { botId: rows[0].id, status: rows[0].status } : null;
  }

  async status(botId: string): Promise<string | null> {
    const rows: { status: string }[] = await this.platform.manager.query(`SELECT status FROM bots WHERE id = $1`, [
      botId,
    ]);
    return rows[0]?.status ?? null;
  }

  /** What a webhook POST for `botId` is checked against (the secret itself is derived, never stored). */
  async webhookInfo(botId: string): Promise<{ status: string; webhookSecretSalt: string } | null> {
    const rows: { status: string; webhook_secret_salt: string }[] = await this.platform.manager.query(
      `SELECT status, webhook_secret_salt FROM bots WHERE id = $1`,
      [botId],
    );
    return rows.length ? { status: rows[0].status, webhookSecretSalt: rows[0].webhook_secret_salt } : null;
  }
}
