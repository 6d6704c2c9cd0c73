import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '@botfleet/common';
import { BotEntity, TenantDb, TenantWalletLedgerEntity } from '@botfleet/dal';

export interface HoldResult {
  applied: boolean;
  balanceMinor: number;
  heldMinor: number;
}

/**
 * The tenant's wholesale wallet seen from a sale (DATA.md, RELIABILITY.md 5). When an order is
 * created its wholesale cost is held; approval captures the hold (balance and hold both drop) in
 * the same transaction as the sale; rejection, expiry and failure release it. Every move is a
 * ledger row keyed `order:{id}:{hold|capture|release}`; the bot row is locked for each move, so
 * concurrent holds can never spend the same balance twice. `amount_minor` on hold and release rows
 * is the amount moved between free and held (the balance is unchanged); on capture it is the
 * (negative) change of the balance. The operator's top-ups go through
 * libs/platform on the same columns and the same lock.
 */
@Injectable()
export class TenantWalletService {
  constructor(private readonly db: TenantDb) {}

  private async lockBot(m: EntityManager, botId: string): Promise<BotEntity> {
    const bot = await m.findOne(BotEntity, { where: { id: botId }, lock: { mode: 'pessimistic_write' } });
    if (!bot) throw new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
    return bot;
  }

  private async entry(m: EntityManager, botId: string, key: string) {
    return m.findOne(TenantWalletLedgerEntity, { where: { botId, idempotencyKey: key } });
  }

  private async append(
    m: EntityManager,
    bot: BotEntity,
    type: TenantWalletLedgerEntity['type'],
    amountMinor: number,
    balance: number,
    held: number,
    key: string,
    reference: string,
  ) {
    await m.save(
      m.create(TenantWalletLedgerEntity, {
        botId: bot.id,
        type,
        amountMinor,
        balanceAfterMinor: balance,
        heldAfterMinor: held,
        idempotencyKey: key,
        reference,
        createdBy: 'system',
      }),
    );
    await m.update(BotEntity, { id: bot.id }, { walletBalanceMinor: balance, walletHeldMinor: held });
  }

  /** Reserves `amountMinor` for the order; INSUFFICIENT_WHOLESALE_BALANCE when the free balance is short. */
  hold(botId: string, orderId: string, amountMinor: number): Promise<HoldResult> {
    return this.db.run(botId, async ({ manager: m }) => {
      const bot = await this.lockBot(m, botId);
      if (await this.entry(m, botId, `order:${orderId}:hold`)) {
        return { applied: false, balanceMinor: bot.walletBalanceMinor, heldMinor: bot.walletHeldMinor };
      }
      if (amountMinor <= 0)
        return { applied: false, balanceMinor: bot.walletBalanceMinor, heldMinor: bot.walletHeldMinor };
      const free = bot.walletBalanceMinor - bot.walletHeldMinor;
      if (free < amountMinor) {
        throw new DomainError(ErrorCode.INSUFFICIENT_WHOLESALE_BALANCE, 'The shop wallet cannot cover this sale', {
          freeMinor: free,
          requiredMinor: amountMinor,
        });
      }
      const held = bot.walletHeldMinor + amountMinor;
      await this.append(
        m,
        bot,
        'hold',
        amountMinor,
        bot.walletBalanceMinor,
        held,
        `order:${orderId}:hold`,
        `order:${orderId}`,
      );
      return { applied: true, balanceMinor: bot.walletBalanceMinor, heldMinor: held };
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
    return this.db.run(botId, async ({ manager: m }) => {
      const bot = await this.lockBot(m, botId);
      const same = { applied: false, balanceMinor: bot.walletBalanceMinor, heldMinor: bot.walletHeldMinor };
      if (
        (await this.entry(m, botId, `order:${orderId}:capture`)) ||
        (await this.entry(m, botId, `order:${orderId}:release`))
      ) {
        return same;
      }
      const hold = await this.entry(m, botId, `order:${orderId}:hold`);
      if (kind === 'capture' && trafficSoldBytes > 0) {
        await m.query(`UPDATE bots SET traffic_sold_bytes = traffic_sold_bytes + $2 WHERE id = $1`, [
          botId,
          trafficSoldBytes,
        ]);
      }
      if (!hold) return same;
      const amount = hold.amountMinor;
      const held = bot.walletHeldMinor - amount;
      const balance = kind === 'capture' ? bot.walletBalanceMinor - amount : bot.walletBalanceMinor;
      await this.append(
        m,
        bot,
        kind,
        kind === 'capture' ? -amount : amount,
        balance,
        held,
        `order:${orderId}:${kind}`,
        `order:${orderId}`,
      );
      return { applied: true, balanceMinor: balance, heldMinor: held };
    });
  }

  /**
   * Undoes the wholesale side of a sale that failed after approval: a captured amount goes back
   * to the balance (ledger `refund`), a hold still open is released. Idempotent.
   */
  reverse(botId: string, orderId: string): Promise<HoldResult> {
    return this.db.run(botId, async ({ manager: m }) => {
      const bot = await this.lockBot(m, botId);
      const same = { applied: false, balanceMinor: bot.walletBalanceMinor, heldMinor: bot.walletHeldMinor };
      const capture = await this.entry(m, botId, `order:${orderId}:capture`);
      if (!capture) return (await this.entry(m, botId, `order:${orderId}:hold`)) ? this.release(botId, orderId) : same;
      if (await this.entry(m, botId, `order:${orderId}:wholesale-refund`)) return same;
      const amount = -capture.amountMinor;
      const balance = bot.walletBalanceMinor + amount;
      await this.append(
        m,
        bot,
        'refund',
        amount,
        balance,
        bot.walletHeldMinor,
        `order:${orderId}:wholesale-refund`,
        `order:${orderId}`,
      );
      return { applied: true, balanceMinor: balance, heldMinor: bot.walletHeldMinor };
    });
  }
}
