import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '@botfleet/common';
import { BotEntity, TenantDb, TenantWalletLedgerEntity, WholesalePriceEntity } from '@botfleet/dal';
import { Actor } from '../actor';
import { uniqueViolation } from '../db-errors';
import { PlatformDb } from '../platform-db';
import { PlatformAuditService } from '../platform-audit.service';

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

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
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

/**
 * The tenant's wholesale wallet as the API shows it (libs/billing moves it during sales). Tenants read it through RLS (tenant path); the operator's top-ups
 * go through the platform path: one transaction locks the bot row, appends a ledger row keyed
 * `topup:{Idempotency-Key}` and moves the cached balance (RELIABILITY.md 2). A replayed key returns
 * the stored entry and writes nothing; the same key with another body is refused.
 */
@Injectable()
export class PlatformWalletService {
  constructor(
    private readonly db: TenantDb,
    private readonly platform: PlatformDb,
    private readonly audit: PlatformAuditService,
  ) {}

  async wallet(botId: string): Promise<WalletView> {
    return this.db.run(botId, async ({ manager }) => {
      const bot = await manager.findOneBy(BotEntity, { id: botId });
      if (!bot) throw new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
      const price = await manager.findOneBy(WholesalePriceEntity, { botId });
      return {
        botId,
        currency: bot.currency,
        balanceMinor: bot.walletBalanceMinor,
        heldMinor: bot.walletHeldMinor,
        availableMinor: bot.walletBalanceMinor - bot.walletHeldMinor,
        wholesalePrice: toWholesaleView(price),
      };
    });
  }

  async ledger(botId: string, page: number, pageSize: number): Promise<Page<LedgerEntryView>> {
    return this.db.run(botId, async ({ manager }) => {
      const bot = await manager.findOneBy(BotEntity, { id: botId });
      if (!bot) throw new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
      const [rows, total] = await manager.findAndCount(TenantWalletLedgerEntity, {
        where: { botId },
        order: { createdAt: 'DESC', id: 'DESC' },
        skip: (page - 1) * pageSize,
        take: pageSize,
      });
      return { items: rows.map((r) => toEntryView(r, bot.currency)), total, page, pageSize };
    });
  }

  async topUp(
    botId: string,
    input: { amountMinor: number; note?: string | null },
    idempotencyKey: string,
    actor: Actor,
  ): Promise<TopUpResult> {
    const key = `topup:${idempotencyKey}`;
    const note = input.note ?? null;
    try {
      return await this.platform.transaction((m) => this.topUpTx(m, botId, input.amountMinor, note, key, actor));
    } catch (err) {
      // Backstop: the bot-row lock already serialises requests with one key; should an insert ever
      // slip past it, the unique (bot_id, idempotency_key) index refuses it and the retry answers
      // from the winner's row.
      if (uniqueViolation(err) === undefined) throw err;
      return this.platform.transaction((m) => this.topUpTx(m, botId, input.amountMinor, note, key, actor));
    }
  }

  private async topUpTx(
    m: EntityManager,
    botId: string,
    amountMinor: number,
    note: string | null,
    key: string,
    actor: Actor,
  ): Promise<TopUpResult> {
    // The lock serialises every wallet change of this bot, so the replay check below sees any
    // committed entry with this key (READ COMMITTED takes a fresh snapshot per statement).
    const bot = await m.findOne(BotEntity, { where: { id: botId }, lock: { mode: 'pessimistic_write' } });
    if (!bot || bot.status === 'deleted') throw new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
    const existing = await m.findOneBy(TenantWalletLedgerEntity, { botId, idempotencyKey: key });
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
    const entry = await m.save(
      m.create(TenantWalletLedgerEntity, {
        botId,
        type: 'top_up',
        amountMinor,
        balanceAfterMinor: balanceAfter,
        heldAfterMinor: bot.walletHeldMinor,
        reference: null,
        note,
        idempotencyKey: key,
        createdBy: `${actor.actorType}:${actor.actorId}`,
      }),
    );
    await m.update(BotEntity, { id: botId }, { walletBalanceMinor: balanceAfter });
    const before = { walletBalanceMinor: bot.walletBalanceMinor };
    const after = { walletBalanceMinor: balanceAfter, ledgerEntryId: entry.id, amountMinor, note };
    await this.audit.operator(m, actor, {
      action: 'wallet.top_up',
      targetType: 'tenant_wallet_ledger',
      targetId: entry.id,
      targetBotId: botId,
      before,
      after,
    });
    await this.audit.tenant(m, botId, {
      ...actor,
      action: 'wallet.top_up',
      targetType: 'tenant_wallet_ledger',
      targetId: entry.id,
      before,
      after,
    });
    return { entry: toEntryView(entry, bot.currency), replayed: false };
  }
}
