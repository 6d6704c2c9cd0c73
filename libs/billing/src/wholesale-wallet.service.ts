import { Injectable } from '@nestjs/common';
import { Actor, DomainError, ErrorCode, Page, pageOf, pageOffset } from '@botfleet/common';
import {
  BotEntity,
  BotSelfRepository,
  OrderStatus,
  TenantDb,
  TenantWalletLedgerEntity,
  WholesalePriceEntity,
  WholesaleWalletRepository,
} from '@botfleet/dal';

export interface WholesalePriceView {
  perPlanMinor: number;
  perGbMinor: number;
  perDayMinor: number;
  unlimitedTrafficGb: number;
  /** Charged per free trial given (the trial's traffic counts as sold like any sale's). */
  trialMinor: number;
  updatedAt: string | null;
}

export interface WalletView {
  botId: string;
  currency: string;
  balanceMinor: number;
  heldMinor: number;
  availableMinor: number;
  wholesalePrice: WholesalePriceView;
}

export interface LedgerEntryView {
  id: string;
  botId: string;
  type: TenantWalletLedgerEntity['type'];
  amountMinor: number;
  balanceAfterMinor: number;
  heldAfterMinor: number;
  currency: string;
  reference: string | null;
  note: string | null;
  createdBy: string;
  createdAt: string;
}

export interface HoldResult {
  applied: boolean;
  balanceMinor: number;
  heldMinor: number;
}

export interface TopUpInput {
  amountMinor: number;
  note?: string | null;
  /** The client's Idempotency-Key; the ledger row is keyed `topup:{key}`. */
  idempotencyKey: string;
  actor: Actor;
}

export interface TopUpResult {
  entry: LedgerEntryView;
  /** True when this answer is the stored result of an earlier request with the same key. */
  replayed: boolean;
}

export const NO_WHOLESALE_PRICE: Omit<WholesalePriceView, 'updatedAt'> = {
  perPlanMinor: 0,
  perGbMinor: 0,
  perDayMinor: 0,
  unlimitedTrafficGb: 0,
  trialMinor: 0,
};

export function toWholesaleView(row: WholesalePriceEntity | null): WholesalePriceView {
  return row
    ? {
        perPlanMinor: row.perPlanMinor,
        perGbMinor: row.perGbMinor,
        perDayMinor: row.perDayMinor,
        unlimitedTrafficGb: row.unlimitedTrafficGb,
        trialMinor: row.trialMinor,
        updatedAt: row.updatedAt.toISOString(),
      }
    : { ...NO_WHOLESALE_PRICE, updatedAt: null };
}

export function toEntryView(e: TenantWalletLedgerEntity, currency: string): LedgerEntryView {
  return {
    id: e.id,
    botId: e.botId,
    type: e.type,
    amountMinor: e.amountMinor,
    balanceAfterMinor: e.balanceAfterMinor,
    heldAfterMinor: e.heldAfterMinor,
    currency,
    reference: e.reference,
    note: e.note,
    createdBy: e.createdBy,
    createdAt: e.createdAt.toISOString(),
  };
}

/** Order statuses whose wholesale hold may be released: the order ended without a sale (or its sale failed). */
export const ENDED_ORDER_STATUSES: readonly OrderStatus[] = ['expired', 'rejected', 'failed', 'refunded'];

const notFound = () => new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
const orderKey = (orderId: string, step: string) => `order:${orderId}:${step}`;

/**
 * The tenant's wholesale wallet (DATA.md, RELIABILITY.md 2 and 5), on the tenant path. The balance and the
 * hold cached on the bot row change only by one ledger row with a unique idempotency key, written with the
 * new cached values under the bot row's lock, so concurrent moves can never spend the same balance twice
 * and a replayed key finds the earlier row. The application role may not write either: each move is a
 * narrow `SECURITY DEFINER` function that enforces its own rule (WholesaleWalletRepository).
 *
 * A sale holds its wholesale cost when the order is created (`order:{id}:hold`); approval captures it
 * (balance and hold both drop), rejection, expiry and failure release it, and a failure after approval
 * reverses the capture (`wholesale-refund`). `amount_minor` on hold and release rows is the amount moved
 * between free and held (the balance is unchanged); on capture it is the (negative) change of the balance.
 * The operator's top-ups are `topup:{Idempotency-Key}` rows written on the platform role (TopUpWalletUseCase).
 */
@Injectable()
export class WholesaleWalletService {
  constructor(
    private readonly db: TenantDb,
    private readonly rows: WholesaleWalletRepository,
    private readonly self: BotSelfRepository,
  ) {}

  async wallet(botId: string): Promise<WalletView> {
    return this.db.run(botId, async () => {
      const bot = await this.bot(botId);
      return {
        botId,
        currency: bot.currency,
        balanceMinor: bot.walletBalanceMinor,
        heldMinor: bot.walletHeldMinor,
        availableMinor: bot.walletBalanceMinor - bot.walletHeldMinor,
        wholesalePrice: toWholesaleView(await this.rows.wholesalePrice(botId)),
      };
    });
  }

  async ledger(botId: string, page: number, pageSize: number): Promise<Page<LedgerEntryView>> {
    return this.db.run(botId, async () => {
      const bot = await this.bot(botId);
      const [rows, total] = await this.rows.page(botId, pageOffset(page, pageSize), pageSize);
      return pageOf(
        rows.map((r) => toEntryView(r, bot.currency)),
        total,
        page,
        pageSize,
      );
    });
  }

  /** Reserves `amountMinor` for the order; INSUFFICIENT_WHOLESALE_BALANCE when the free balance is short. */
  hold(botId: string, orderId: string, amountMinor: number): Promise<HoldResult> {
    return this.db.run(botId, async () => {
      const bot = await this.lockBot(botId);
      const same = unchanged(bot);
      if (await this.rows.entry(botId, orderKey(orderId, 'hold'))) return same;
      if (amountMinor <= 0) return same;
      const free = bot.walletBalanceMinor - bot.walletHeldMinor;
      if (free < amountMinor) {
        throw new DomainError(ErrorCode.INSUFFICIENT_WHOLESALE_BALANCE, 'The shop wallet cannot cover this sale', {
          freeMinor: free,
          requiredMinor: amountMinor,
        });
      }
      return this.rows.hold(botId, orderId, amountMinor);
    });
  }

  /**
   * Turns the hold into a charge. Idempotent; a no-op when there was no hold because there was no wholesale
   * cost. Refused (CONFLICT, nothing changes — the caller's transaction rolls back) when the hold was released
   * (the order ended) or an order with a wholesale cost has no hold: the sale must not skip its charge.
   */
  capture(botId: string, orderId: string, trafficSoldBytes = 0): Promise<HoldResult> {
    return this.db.run(botId, async () => {
      await this.lockBot(botId);
      if (await this.rows.entry(botId, orderKey(orderId, 'release'))) {
        throw new DomainError(
          ErrorCode.CONFLICT,
          "This order's wholesale hold was released when the order ended; it cannot be paid now",
          { orderId },
        );
      }
      if (!(await this.rows.entry(botId, orderKey(orderId, 'hold')))) {
        const order = await this.rows.order(botId, orderId);
        if (order && order.wholesaleMinor > 0) {
          throw new DomainError(
            ErrorCode.CONFLICT,
            "This order's wholesale cost was never held on the shop wallet; it cannot be paid",
            { orderId },
          );
        }
      }
      return this.rows.settle(botId, orderId, 'capture', trafficSoldBytes);
    });
  }

  /**
   * Gives the held amount back to the free balance, only for an order that has already ended (ENDED_ORDER_STATUSES;
   * move the order first, in the same transaction): a pending order can still be paid, and its capture must find
   * the hold. Idempotent; a no-op after a capture or a release.
   */
  release(botId: string, orderId: string): Promise<HoldResult> {
    return this.db.run(botId, async () => {
      await this.lockBot(botId);
      const settled =
        (await this.rows.entry(botId, orderKey(orderId, 'capture'))) ??
        (await this.rows.entry(botId, orderKey(orderId, 'release')));
      if (!settled) {
        const order = await this.rows.order(botId, orderId);
        if (!order || !ENDED_ORDER_STATUSES.includes(order.status)) {
          throw new DomainError(
            ErrorCode.CONFLICT,
            `A wholesale hold is released only for an ended order, not a ${order?.status ?? 'missing'} one`,
            { orderId },
          );
        }
      }
      return this.rows.settle(botId, orderId, 'release', 0);
    });
  }

  /**
   * Undoes the wholesale side of a sale that failed after approval: a captured amount goes back
   * to the balance (ledger `refund`), a hold still open is released. Idempotent.
   */
  reverse(botId: string, orderId: string): Promise<HoldResult> {
    return this.db.run(botId, async () => {
      const bot = await this.lockBot(botId);
      const capture = await this.rows.entry(botId, orderKey(orderId, 'capture'));
      if (!capture) {
        const held = await this.rows.entry(botId, orderKey(orderId, 'hold'));
        return held ? this.release(botId, orderId) : unchanged(bot);
      }
      if (await this.rows.entry(botId, orderKey(orderId, 'wholesale-refund'))) return unchanged(bot);
      return this.rows.reverse(botId, orderId);
    });
  }

  private async lockBot(botId: string): Promise<BotEntity> {
    const bot = await this.rows.lockBot(botId);
    if (!bot) throw notFound();
    return bot;
  }

  private async bot(botId: string): Promise<BotEntity> {
    const bot = await this.self.get(botId);
    if (!bot) throw notFound();
    return bot;
  }
}

const unchanged = (bot: BotEntity): HoldResult => ({
  applied: false,
  balanceMinor: bot.walletBalanceMinor,
  heldMinor: bot.walletHeldMinor,
});
