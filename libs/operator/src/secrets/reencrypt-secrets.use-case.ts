import { Injectable } from '@nestjs/common';
import { FEATURE_CATALOG, FeatureKey, featureSecretAd, secretFieldsOf } from '@botfleet/catalog';
import { SecretCursor, StoredSecret, StoredSecretsRepository } from '@botfleet/platform';
import { SecretBox } from '@botfleet/secrets';

export interface ReencryptReport {
  /** The key version every secret is now under. */
  version: number;
  /** Secrets read. */
  scanned: number;
  /** Secrets written anew under `version`. */
  reencrypted: number;
  /** Already under `version`. */
  current: number;
  /** Changed by someone else between the read and the write (written by then under the current key). */
  changedMeanwhile: number;
  /** Could not be decrypted (a key version missing from ENCRYPTION_KEY): left as they are, named by where. */
  failed: string[];
}

/** The associated data each kind of secret was encrypted with (the same as the code that wrote it). */
function associatedData(s: StoredSecret): string {
  if (s.kind === 'feature_secret') return featureSecretAd(s.botId, s.featureKey, s.field);
  return s.id; // bot tokens: the bot's id; panel credentials: the panel's id
}

function where(s: StoredSecret): string {
  return s.kind === 'feature_secret' ? `feature ${s.featureKey}.${s.field} of bot ${s.botId}` : `${s.kind} ${s.id}`;
}

/**
 * Key rotation's second half (`npm run secrets:reencrypt`): after a new key version is added to
 * ENCRYPTION_KEY (`1:<old>,2:<new>`), every stored secret — bot tokens, panel credentials, secret fields of
 * feature configs — is decrypted and written again under the newest version, in batches, each value replaced
 * only if unchanged since it was read. Running it again changes nothing; once it reports no failures the old
 * version can be removed from ENCRYPTION_KEY. Values and plaintexts are never logged.
 */
@Injectable()
export class ReencryptSecretsUseCase {
  constructor(
    private readonly secrets: StoredSecretsRepository,
    private readonly box: SecretBox,
  ) {}

  async execute(
    options: { batchSize?: number; onBatch?: (r: ReencryptReport) => void } = {},
  ): Promise<ReencryptReport> {
    const batchSize = Math.max(1, options.batchSize ?? 500);
    const report: ReencryptReport = {
      version: this.box.currentVersion,
      scanned: 0,
      reencrypted: 0,
      current: 0,
      changedMeanwhile: 0,
      failed: [],
    };
    const lastId = (rows: { id: string }[]): SecretCursor =>
      rows.length < batchSize ? null : rows[rows.length - 1].id;
    for (let cursor: SecretCursor = null, first = true; first || cursor; first = false) {
      const rows = await this.secrets.botTokens(cursor, batchSize);
      await this.batch(rows, report);
      cursor = lastId(rows);
      options.onBatch?.(report);
    }
    for (let cursor: SecretCursor = null, first = true; first || cursor; first = false) {
      const rows = await this.secrets.panelCredentials(cursor, batchSize);
      await this.batch(rows, report);
      cursor = lastId(rows);
      options.onBatch?.(report);
    }
    const fields = Object.fromEntries(
      (Object.keys(FEATURE_CATALOG) as FeatureKey[]).map((k) => [k, secretFieldsOf(k)]),
    ) as Record<string, readonly string[]>;
    for (let cursor: SecretCursor = null, first = true; first || cursor; first = false) {
      const page = await this.secrets.featureSecrets(fields, cursor, batchSize);
      await this.batch(page.rows, report);
      cursor = page.cursor;
      options.onBatch?.(report);
    }
    return report;
  }

  private async batch(rows: StoredSecret[], report: ReencryptReport): Promise<void> {
    for (const s of rows) {
      report.scanned++;
      if (SecretBox.versionOf(s.ciphertext) === this.box.currentVersion) {
        report.current++;
        continue;
      }
      let plaintext: string;
      try {
        plaintext = this.box.decrypt(s.ciphertext, associatedData(s));
      } catch {
        report.failed.push(where(s));
        continue;
      }
      const next = this.box.encrypt(plaintext, associatedData(s));
      if (await this.secrets.replace(s, next)) report.reencrypted++;
      else report.changedMeanwhile++;
    }
  }
}
