import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TenantWalletLedgerEntity } from '@botfleet/dal';

export interface LockedWallet {
  status: string;
  currency: string;
  walletBalanceMinor: number;
}

/**
 * The operator's credits and corrections of a tenant's wholesale wallet. The application role cannot write the wallet
 * columns or the ledger; a top-up runs here on the platform role, under the bot row's lock (BOT_ROW_LOCK,
 * the same lock every tenant-path wallet move takes), through `botfleet_wallet_top_up`.
 */
@Injectable()
export class WalletTopUpsRepository {
  /** The bot row locked FOR NO KEY UPDATE for the rest of the transaction; null when there is none. */
  async lockBot(m: EntityManager, botId: string): Promise<LockedWallet | null> {
    const rows: { status: string; currency: string; balance: string }[] = await m.query(
      `SELECT status, currency, wallet_balance_minor AS balance FROM bots WHERE id = $1 FOR NO KEY UPDATE`,
      [botId],
    );
    const r = rows[0];
    return r ? { status: r.status, currency: r.currency, walletBalanceMinor: Number(r.balance) } : null;
  }

  entry(m: EntityManager, botId: string, idempotencyKey: string): Promise<TenantWalletLedgerEntity | null> {
    return m.findOneBy(TenantWalletLedgerEntity, { botId, idempotencyKey });
  }

  /** Appends the `top_up` row and credits the cached balance, once per key; the row written (or found). */
  async credit(
    m: EntityManager,
    botId: string,
    e: { idempotencyKey: string; amountMinor: number; note: string | null; createdBy: string },
  ): Promise<TenantWalletLedgerEntity> {
    const rows: { entry_id: string }[] = await m.query(
      `SELECT entry_id FROM botfleet_wallet_top_up($1, $2, $3, $4, $5)`,
      [botId, e.idempotencyKey, e.amountMinor, e.note, e.createdBy],
    );
    return m.findOneByOrFail(TenantWalletLedgerEntity, { botId, id: rows[0].entry_id });
  }

  /**
   * The operator's signed correction through `botfleet_wallet_adjust` (it locks the bot row and decides): the
   * outcome, the wallet as it stands after it, and the row written (`applied`) or first written (`replayed`).
   */
  async adjust(
    m: EntityManager,
    botId: string,
    e: { idempotencyKey: string; amountMinor: number; note: string; createdBy: string },
  ): Promise<WalletAdjustment> {
    const rows: { outcome: AdjustOutcome; balance_minor: string; held_minor: string; entry_id: string | null }[] =
      await m.query(
        `SELECT outcome, balance_minor::text, held_minor::text, entry_id FROM botfleet_wallet_adjust($1, $2, $3, $4, $5)`,
        [botId, e.amountMinor, e.idempotencyKey, e.note, e.createdBy],
      );
    const r = rows[0];
    const entry = r.entry_id ? await m.findOneByOrFail(TenantWalletLedgerEntity, { botId, id: r.entry_id }) : null;
    return {
      outcome: r.outcome,
      walletBalanceMinor: Number(r.balance_minor),
      walletHeldMinor: Number(r.held_minor),
      entry,
    };
  }
}

export type AdjustOutcome = 'applied' | 'replayed' | 'key_reused' | 'insufficient' | 'out_of_range';

export interface WalletAdjustment {
  outcome: AdjustOutcome;
  walletBalanceMinor: number;
  walletHeldMinor: number;
  entry: TenantWalletLedgerEntity | null;
}
