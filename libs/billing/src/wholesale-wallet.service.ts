import { Injectable } from '@nestjs/common';
import { AuditService } from '@botfleet/audit';
import { Actor, DomainError, ErrorCode, Page, pageOf, pageOffset } from '@botfleet/common';
import {
  BotEntity,
  BotSelfRepository,
  TenantDb,
  TenantWalletLedgerEntity,
  uniqueViolation,
  WalletEntryType,
  WholesalePriceEntity,
  WholesaleWalletRepository,
} from '@botfleet/dal';

export interface WholesalePriceView {
  perPlanMinor: number;
  perGbMinor: number;
  perDayMinor: number;
  unlimitedTrafficGb: number;
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
};

export function toWholesaleView(row: WholesalePriceEntity | null): WholesalePriceView {
  return row
    ? {
        perPlanMinor: row.perPlanMinor,
        perGbMinor: row.perGbMinor,
        perDayMinor: row.perDayMinor,
        unlimitedTrafficGb: row.unlimitedTrafficGb,
        updatedAt: row.updatedAt.toISOString(),
      }
    : { ...NO_WHOLESALE_PRICE, updatedAt: null };
}

function toEntryView(e: TenantWalletLedgerEntity, currency: string): LedgerEntryView {
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

const notFound = () => new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
const orderKey = (orderId: string, step: string) => `order:${orderId}:${step}`;

/**
 * The tenant's wholesale wallet (DATA.md, RELIABILITY.md 2 and 5), on the tenant path. The balance and the
 * hold cached on the bot row change only by `append`: one ledger row with a unique idempotency key, written
 * with the new cached values under the bot row's lock, so concurrent moves can never spend the same balance
 * twice and a replayed key finds the earlier row.
 *
 * A sale holds its wholesale cost when the order is created (`order:{id}:hold`); approval captures it
 * (balance and hold both drop), rejection, expiry and failure release it, and a failure after approval
 * reverses the capture (`wholesale-refund`). `amount_minor` on hold and release rows is the amount moved
 * between free and held (the balance is unchanged); on capture it is the (negative) change of the balance.
 * The operator's top-ups are `topup:{Idempotency-Key}` rows, audited in the tenant's log.
 */
@Injectable()
export class WholesaleWalletService {
  constructor(
    private readonly db: TenantDb,
    private readonly rows: WholesaleWalletRepository,
    private readonly self: BotSelfRepository,
    private readonly audit: AuditService,
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
      return this.appendForOrder(bot, orderId, 'hold', amountMinor, 0, amountMinor);
    });
  }

  /** Turns the hold into a charge. Idempotent; a no-op when there was no hold (zero wholesale price). */
  capture(botId: string, orderId: string, trafficSoldBytes = 0): Promise<HoldResult> {
    return this.settle(botId, orderId, 'capture', trafficSoldBytes);
  }

  /** Gives the held amount back to the free balance. Idempotent; a no-op after a capture. */
  release(botId: string, orderId: string): Promise<HoldResult> {
    return this.settle(botId, orderId, 'release', 0);
  }

  private settle(
    botId: string,
    orderId: string,
    kind: 'capture' | 'release',
    trafficSoldBytes: number,
  ): Promise<HoldResult> {
    return this.db.run(botId, async () => {
      const bot = await this.lockBot(botId);
      if (
        (await this.rows.entry(botId, orderKey(orderId, 'capture'))) ||
        (await this.rows.entry(botId, orderKey(orderId, 'release')))
      ) {
        return unchanged(bot);
      }
      const hold = await this.rows.entry(botId, orderKey(orderId, 'hold'));
      if (kind === 'capture' && trafficSoldBytes > 0) await this.rows.addTrafficSold(botId, trafficSoldBytes);
      if (!hold) return unchanged(bot);
      const amount = hold.amountMinor;
      return kind === 'capture'
        ? this.appendForOrder(bot, orderId, 'capture', -amount, -amount, -amount)
        : this.appendForOrder(bot, orderId, 'release', amount, 0, -amount);
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
      const amount = -capture.amountMinor;
      return this.appendForOrder(bot, orderId, 'refund', amount, amount, 0, 'wholesale-refund');
    });
  }

  /**
   * The operator credits the wallet. A replayed key returns the stored entry and writes nothing; the same
   * key with another amount or note is refused (IDEMPOTENCY_KEY_REUSED).
   */
  async topUp(botId: string, input: TopUpInput): Promise<TopUpResult> {
    try {
      return await this.db.run(botId, () => this.topUpTx(botId, input));
    } catch (err) {
      // Backstop: the bot-row lock already serialises requests with one key; should an insert ever
      // slip past it, the unique (bot_id, idempotency_key) index refuses it and the retry answers
      // from the winner's row.
      if (uniqueViolation(err) === undefined) throw err;
      return this.db.run(botId, () => this.topUpTx(botId, input));
    }
  }

  private async topUpTx(botId: string, input: TopUpInput): Promise<TopUpResult> {
    const key = `topup:${input.idempotencyKey}`;
    const note = input.note ?? null;
    const { amountMinor, actor } = input;
    // The lock serialises every wallet change of this bot, so the replay check below sees any
    // committed entry with this key (READ COMMITTED takes a fresh snapshot per statement).
    const bot = await this.lockBot(botId);
    if (bot.status === 'deleted') throw notFound();
    const existing = await this.rows.entry(botId, key);
    if (existing) {
      if (existing.type !== 'top_up' || existing.amountMinor !== amountMinor || existing.note !== note) {
        throw new DomainError(
          ErrorCode.IDEMPOTENCY_KEY_REUSED,
          'This Idempotency-Key was already used for a different top-up',
        );
      }
      return { entry: toEntryView(existing, bot.currency), replayed: true };
    }
    const balanceAfter = bot.walletBalanceMinor + amountMinor;
    if (!Number.isSafeInteger(balanceAfter)) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'The balance would become too large', [
        { field: 'amountMinor', errors: ['the resulting balance is out of range'] },
      ]);
    }
    const entry = await this.append(bot, 'top_up', amountMinor, amountMinor, 0, {
      key,
      reference: null,
      note,
      createdBy: `${actor.type}:${actor.id}`,
    });
    await this.audit.record(botId, {
      actor,
      action: 'wallet.top_up',
      targetType: 'tenant_wallet_ledger',
      targetId: entry.id,
      before: { walletBalanceMinor: bot.walletBalanceMinor },
      after: { walletBalanceMinor: balanceAfter, ledgerEntryId: entry.id, amountMinor, note },
    });
    return { entry: toEntryView(entry, bot.currency), replayed: false };
  }

  private async appendForOrder(
    bot: BotEntity,
    orderId: string,
    type: WalletEntryType,
    amountMinor: number,
    balanceDelta: number,
    heldDelta: number,
    step: string = type,
  ): Promise<HoldResult> {
    const entry = await this.append(bot, type, amountMinor, balanceDelta, heldDelta, {
      key: orderKey(orderId, step),
      reference: `order:${orderId}`,
      note: null,
      createdBy: 'system',
    });
    return { applied: true, balanceMinor: entry.balanceAfterMinor, heldMinor: entry.heldAfterMinor };
  }

  /** The one way the wallet changes: a ledger row carrying the new balance and hold, under the row lock. */
  private append(
    bot: BotEntity,
    type: WalletEntryType,
    amountMinor: number,
    balanceDelta: number,
    heldDelta: number,
    row: { key: string; reference: string | null; note: string | null; createdBy: string },
  ): Promise<TenantWalletLedgerEntity> {
    return this.rows.append(bot.id, {
      type,
      amountMinor,
      balanceAfterMinor: bot.walletBalanceMinor + balanceDelta,
      heldAfterMinor: bot.walletHeldMinor + heldDelta,
      idempotencyKey: row.key,
      reference: row.reference,
      note: row.note,
      createdBy: row.createdBy,
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
