import { Injectable } from '@nestjs/common';
import { PlatformDb } from '../platform-db';

/** One encrypted value as stored, with what its associated data is made of. */
export type StoredSecret =
  | { kind: 'bot_token'; id: string; ciphertext: string }
  | { kind: 'panel_credentials'; id: string; ciphertext: string }
  | { kind: 'feature_secret'; botId: string; featureKey: string; field: string; ciphertext: string };

/** Where to continue a walk through one kind of secret (keyset pagination: every row is looked at once). */
export type SecretCursor = string | null;

/**
 * Every column that holds a SecretBox ciphertext, across tenants (the platform role): read in batches in key
 * order, and replaced only if nobody changed the value meanwhile (a token re-registered during the rotation
 * keeps its new value). Which feature config fields are secrets is the catalogue's knowledge: the caller passes it.
 */
@Injectable()
export class StoredSecretsRepository {
  constructor(private readonly platform: PlatformDb) {}

  async botTokens(after: SecretCursor, limit: number): Promise<Extract<StoredSecret, { kind: 'bot_token' }>[]> {
    const rows: { id: string; c: string }[] = await this.platform.manager.query(
      `SELECT id, telegram_token_ciphertext AS c FROM bots
        WHERE ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
      [after, limit],
    );
    return rows.map((r) => ({ kind: 'bot_token', id: r.id, ciphertext: r.c }));
  }

  async panelCredentials(
    after: SecretCursor,
    limit: number,
  ): Promise<Extract<StoredSecret, { kind: 'panel_credentials' }>[]> {
    const rows: { id: string; c: string }[] = await this.platform.manager.query(
      `SELECT id, credentials_ciphertext AS c FROM vpn_panels
        WHERE ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
      [after, limit],
    );
    return rows.map((r) => ({ kind: 'panel_credentials', id: r.id, ciphertext: r.c }));
  }

  /** Secret fields of feature configs; the cursor is `botId/featureKey` of the last row read. */
  async featureSecrets(
    secretFields: Record<string, readonly string[]>,
    after: SecretCursor,
    limit: number,
  ): Promise<{ rows: Extract<StoredSecret, { kind: 'feature_secret' }>[]; cursor: SecretCursor }> {
    const keys = Object.keys(secretFields).filter((k) => secretFields[k].length);
    if (!keys.length) return { rows: [], cursor: null };
    const [afterBot, afterKey] = after ? after.split('/') : [null, null];
    const flags: { bot_id: string; feature_key: string; config: Record<string, unknown> }[] =
      await this.platform.manager.query(
        `SELECT bot_id, feature_key, config FROM bot_feature_flags
          WHERE feature_key = ANY($1::varchar[])
            AND ($2::uuid IS NULL OR (bot_id, feature_key) > ($2::uuid, $3::varchar))
          ORDER BY bot_id, feature_key LIMIT $4`,
        [keys, afterBot, afterKey, limit],
      );
    const rows: Extract<StoredSecret, { kind: 'feature_secret' }>[] = [];
    for (const f of flags) {
      for (const field of secretFields[f.feature_key] ?? []) {
        const value = f.config[field];
        if (typeof value === 'string') {
          rows.push({ kind: 'feature_secret', botId: f.bot_id, featureKey: f.feature_key, field, ciphertext: value });
        }
      }
    }
    const last = flags[flags.length - 1];
    return { rows, cursor: flags.length < limit || !last ? null : `${last.bot_id}/${last.feature_key}` };
  }

  /** Swaps `secret.ciphertext` for `next` if it is still the stored value; false when it changed meanwhile. */
  async replace(secret: StoredSecret, next: string): Promise<boolean> {
    let result: [unknown[], number];
    if (secret.kind === 'bot_token') {
      result = await this.platform.manager.query(
        `UPDATE bots SET telegram_token_ciphertext = $3 WHERE id = $1 AND telegram_token_ciphertext = $2`,
        [secret.id, secret.ciphertext, next],
      );
    } else if (secret.kind === 'panel_credentials') {
      result = await this.platform.manager.query(
        `UPDATE vpn_panels SET credentials_ciphertext = $3 WHERE id = $1 AND credentials_ciphertext = $2`,
        [secret.id, secret.ciphertext, next],
      );
    } else {
      result = await this.platform.manager.query(
        `UPDATE bot_feature_flags SET config = jsonb_set(config, ARRAY[$3::text], to_jsonb($5::text))
          WHERE bot_id = $1 AND feature_key = $2 AND config ->> $3::text = $4`,
        [secret.botId, secret.featureKey, secret.field, secret.ciphertext, next],
      );
    }
    return result[1] === 1;
  }
}
