import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { LedgerEntryView, toEntryView } from '@botfleet/billing';
import { Actor, DomainError, ErrorCode, MAX_MINOR } from '@botfleet/common';
import { uniqueViolation } from '@botfleet/dal';
import { PlatformDb, WalletTopUpsRepository } from '@botfleet/platform';
import { actorLabel, OperatorAuditService } from '../operator-audit.service';

export interface AdjustWalletInput {
  botId: string;
  /** Signed, non-zero: a credit or a debit of the wallet's balance. */
  amountMinor: number;
  note: string;
  /** The request's Idempotency-Key: the same key again answers the first adjustment and writes nothing. */
  idempotencyKey: string;
  actor: Actor;
}

export interface AdjustWalletResult {
  entry: LedgerEntryView;
  replayed: boolean;
}

/**
 * The operator corrects a tenant's wholesale wallet (a mistyped top-up, a charge outside the product): one
 * `adjustment` ledger row with the note, written by `botfleet_wallet_adjust` on the platform role under the bot
 * row's lock, with the tenant's and the operator's audit rows in the same transaction. A debit never takes the
 * free balance (balance - held) below zero (INSUFFICIENT_WHOLESALE_BALANCE); an amount beyond ±MAX_MINOR (the REST
 * body's cap, enforced here for every caller) is VALIDATION_FAILED naming it; a replayed key returns the stored
 * entry and writes nothing; the same key with another amount or note is IDEMPOTENCY_KEY_REUSED.
 */
@Injectable()
export class AdjustWalletUseCase {
  constructor(
    private readonly platform: PlatformDb,
    private readonly wallets: WalletTopUpsRepository,
    private readonly audit: OperatorAuditService,
  ) {}

  async execute(input: AdjustWalletInput): Promise<AdjustWalletResult> {
    if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor === 0) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'An adjustment is a non-zero integer', [
        { field: 'amountMinor', errors: ['must be a non-zero integer'] },
      ]);
    }
    // The same cap as the REST body (±MAX_TOP_UP_MINOR = MAX_MINOR), whichever way the amount came (the master bot).
    if (Math.abs(input.amountMinor) > MAX_MINOR) {
      throw new DomainError(
        ErrorCode.VALIDATION_FAILED,
        `An adjustment of ${input.amountMinor} is out of range: at most ${MAX_MINOR} either way`,
        [{ field: 'amountMinor', errors: [`must be between -${MAX_MINOR} and ${MAX_MINOR}`] }],
      );
    }
    if (input.note.trim().length === 0) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'An adjustment needs a note', [
        { field: 'note', errors: ['must not be blank'] },
      ]);
    }
    try {
      return await this.platform.transaction((m) => this.adjust(m, input));
    } catch (err) {
      // Backstop, as for top-ups: the bot-row lock serialises one key; should an insert slip past it, the
      // unique (bot_id, idempotency_key) index refuses it and the retry answers from the winner's row.
      if (uniqueViolation(err) === undefined) throw err;
      return this.platform.transaction((m) => this.adjust(m, input));
    }
  }

  private async adjust(m: EntityManager, input: AdjustWalletInput): Promise<AdjustWalletResult> {
    const { botId, amountMinor, note, actor } = input;
    const bot = await this.wallets.lockBot(m, botId);
    if (!bot || bot.status === 'deleted') throw new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
    const r = await this.wallets.adjust(m, botId, {
      idempotencyKey: `adjust:${input.idempotencyKey}`,
      amountMinor,
      note,
      createdBy: actorLabel(actor),
    });
    switch (r.outcome) {
      case 'replayed':
        return { entry: toEntryView(r.entry!, bot.currency), replayed: true };
      case 'key_reused':
        throw new DomainError(
          ErrorCode.IDEMPOTENCY_KEY_REUSED,
          'This Idempotency-Key was already used for a different adjustment',
        );
      case 'insufficient':
        throw new DomainError(
          ErrorCode.INSUFFICIENT_WHOLESALE_BALANCE,
          'A debit may not take the free balance (balance minus held) below zero',
          {
            balanceMinor: r.walletBalanceMinor,
            heldMinor: r.walletHeldMinor,
            availableMinor: r.walletBalanceMinor - r.walletHeldMinor,
          },
        );
      case 'out_of_range':
        throw new DomainError(ErrorCode.VALIDATION_FAILED, 'The balance would become too large', [
          { field: 'amountMinor', errors: ['the resulting balance is out of range'] },
        ]);
      case 'applied':
        break;
    }
    const entry = r.entry!;
    const before = { walletBalanceMinor: bot.walletBalanceMinor };
    const after = { walletBalanceMinor: r.walletBalanceMinor, ledgerEntryId: entry.id, amountMinor, note };
    const audited = { action: 'wallet.adjust', targetType: 'tenant_wallet_ledger', targetId: entry.id, before, after };
    await this.audit.tenant(m, botId, actor, audited);
    await this.audit.operator(m, actor, { ...audited, targetBotId: botId });
    return { entry: toEntryView(entry, bot.currency), replayed: false };
  }
}
