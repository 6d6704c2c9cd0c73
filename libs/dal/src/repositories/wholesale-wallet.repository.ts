import { Injectable } from '@nestjs/common';
import { BotEntity, OrderEntity, TenantWalletLedgerEntity, WholesalePriceEntity } from '../entities';
import { TenantDb } from '../tenant-context';
import { BOT_ROW_LOCK } from './bot-self.repository';

export type WalletEntryType = TenantWalletLedgerEntity['type'];

/** What a wallet move left: whether it wrote a ledger row, and the cached balance and hold after it. */
export interface WalletMove {
  applied: boolean;
  balanceMinor: number;
  heldMinor: number;
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

  /** The order a move is for (its status and wholesale cost decide whether it may be captured or released). */
  order(botId: string, orderId: string): Promise<OrderEntity | null> {
    return this.db.within(botId, (m) => m.findOneBy(OrderEntity, { botId, id: orderId }));
  }

  /**
   * The moves themselves: the application role cannot write the wallet columns or the ledger, so each is a
   * `SECURITY DEFINER` function (migration TenantPrivileges) that takes the same bot row lock, keys its
   * ledger row `order:{id}:{step}` and enforces its rule (own bot only, never past the free balance, a
   * release only of an ended order, a capture never of a released or missing hold, a refund only of a failed one).
   */
  hold(botId: string, orderId: string, amountMinor: number): Promise<WalletMove> {
    return this.move(botId, `SELECT * FROM botfleet_wallet_hold($1, $2, $3)`, [botId, orderId, amountMinor]);
  }

  /**
   * Capture (counting the traffic sold) or release of the order's hold; the first of the two wins. A release
   * needs the order ended (expired, rejected, failed, refunded); a capture of a released hold, or of an order
   * with a wholesale cost and no hold, is refused (migration WalletSettleEndedOrders).
   */
  settle(botId: string, orderId: string, kind: 'capture' | 'release', trafficSoldBytes: number): Promise<WalletMove> {
    return this.move(botId, `SELECT * FROM botfleet_wallet_settle($1, $2, $3, $4)`, [
      botId,
      orderId,
      kind,
      trafficSoldBytes,
    ]);
  }

  /** Gives a captured wholesale cost back (`order:{id}:wholesale-refund`) for an order that failed. */
  reverse(botId: string, orderId: string): Promise<WalletMove> {
    return this.move(botId, `SELECT * FROM botfleet_wallet_reverse($1, $2)`, [botId, orderId]);
  }

  private async move(botId: string, sql: string, params: unknown[]): Promise<WalletMove> {
    const rows: { applied: boolean; balance_minor: string; held_minor: string }[] = await this.db.within(botId, (m) =>
      m.query(sql, params),
    );
    const r = rows[0];
    return { applied: r.applied, balanceMinor: Number(r.balance_minor), heldMinor: Number(r.held_minor) };
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
