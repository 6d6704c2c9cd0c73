import { Injectable } from '@nestjs/common';
import { BotEntity, TenantWalletLedgerEntity, WholesalePriceEntity } from '../entities';
import { TenantDb } from '../tenant-context';
import { BOT_ROW_LOCK } from './bot-self.repository';

export type WalletEntryType = TenantWalletLedgerEntity['type'];

export interface WalletEntryInput {
  type: WalletEntryType;
  amountMinor: number;
  balanceAfterMinor: number;
  heldAfterMinor: number;
  idempotencyKey: string;
  reference: string | null;
  note: string | null;
  createdBy: string;
}

/** The tenant's wholesale wallet: the cached columns on its `bots` row and `tenant_wallet_ledger`. */
@Injectable()
export class WholesaleWalletRepository {
  constructor(private readonly db: TenantDb) {}

  /** The bot row, locked for this transaction: every wallet change of a bot is serial (BOT_ROW_LOCK). */
  lockBot(botId: string): Promise<BotEntity | null> {
    return this.db.within(botId, (m) => m.findOne(BotEntity, { where: { id: botId }, lock: { mode: BOT_ROW_LOCK } }));
  }

  entry(botId: string, idempotencyKey: string): Promise<TenantWalletLedgerEntity | null> {
    return this.db.within(botId, (m) => m.findOne(TenantWalletLedgerEntity, { where: { botId, idempotencyKey } }));
  }

  /** Appends a ledger row and moves the cached balance and hold to what the row says. */
  append(botId: string, e: WalletEntryInput): Promise<TenantWalletLedgerEntity> {
    return this.db.within(botId, async (m) => {
      const row = await m.save(m.create(TenantWalletLedgerEntity, { botId, ...e }));
      await m.update(
        BotEntity,
        { id: botId },
        { walletBalanceMinor: e.balanceAfterMinor, walletHeldMinor: e.heldAfterMinor },
      );
      return row;
    });
  }

  async addTrafficSold(botId: string, bytes: number): Promise<void> {
    await this.db.within(botId, (m) =>
      m.query(`UPDATE bots SET traffic_sold_bytes = traffic_sold_bytes + $2 WHERE id = $1`, [botId, bytes]),
    );
  }

  /** Ledger rows, newest first. */
  page(botId: string, skip: number, take: number): Promise<[TenantWalletLedgerEntity[], number]> {
    return this.db.within(botId, (m) =>
      m.findAndCount(TenantWalletLedgerEntity, {
        where: { botId },
        order: { createdAt: 'DESC', id: 'DESC' },
        skip,
        take,
      }),
    );
  }

  wholesalePrice(botId: string): Promise<WholesalePriceEntity | null> {
    return this.db.within(botId, (m) => m.findOneBy(WholesalePriceEntity, { botId }));
  }
}
