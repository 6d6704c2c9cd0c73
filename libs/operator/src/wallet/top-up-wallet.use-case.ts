import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TopUpResult, toEntryView } from '@botfleet/billing';
import { Actor, DomainError, ErrorCode } from '@botfleet/common';
import { uniqueViolation } from '@botfleet/dal';
import { PlatformDb, WalletTopUpsRepository } from '@botfleet/platform';
import { actorLabel, OperatorAuditService } from '../operator-audit.service';

export interface TopUpWalletInput {
  botId: string;
  amountMinor: number;
  note?: string | null;
  /** The request's Idempotency-Key: the same key again answers the first top-up and writes nothing. */
  idempotencyKey: string;
  actor: Actor;
}

/**
 * The operator credits a tenant's wholesale wallet. The application role cannot write the wallet, so this
 * runs on the platform role: one transaction under the bot row's lock (the lock every wallet move takes)
 * appends the `topup:{key}` ledger row, credits the balance and writes the tenant's and the operator's audit
 * rows. A replayed key returns the stored entry and writes nothing; the same key with another amount or note
 * is refused (IDEMPOTENCY_KEY_REUSED).
 */
@Injectable()
export class TopUpWalletUseCase {
  constructor(
    private readonly platform: PlatformDb,
    private readonly wallets: WalletTopUpsRepository,
    private readonly audit: OperatorAuditService,
  ) {}

  async execute(input: TopUpWalletInput): Promise<TopUpResult> {
    try {
      return await this.platform.transaction((m) => this.topUp(m, input));
    } catch (err) {
      // Backstop: the bot-row lock serialises requests with one key; should an insert ever slip past it,
      // the unique (bot_id, idempotency_key) index refuses it and the retry answers from the winner's row.
      if (uniqueViolation(err) === undefined) throw err;
      return this.platform.transaction((m) => this.topUp(m, input));
    }
  }

  private async topUp(m: EntityManager, input: TopUpWalletInput): Promise<TopUpResult> {
    const { botId, amountMinor, actor } = input;
    const key = `topup:${input.idempotencyKey}`;
    const note = input.note ?? null;
    const bot = await this.wallets.lockBot(m, botId);
    if (!bot || bot.status === 'deleted') throw new DomainError(ErrorCode.NOT_FOUND, 'Bot not found');
    const existing = await this.wallets.entry(m, botId, key);
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
    const entry = await this.wallets.credit(m, botId, {
      idempotencyKey: key,
      amountMinor,
      note,
      createdBy: actorLabel(actor),
    });
    const before = { walletBalanceMinor: bot.walletBalanceMinor };
    const after = { walletBalanceMinor: balanceAfter, ledgerEntryId: entry.id, amountMinor, note };
    const audited = { action: 'wallet.top_up', targetType: 'tenant_wallet_ledger', targetId: entry.id, before, after };
    await this.audit.tenant(m, botId, actor, audited);
    await this.audit.operator(m, actor, { ...audited, targetBotId: botId });
    return { entry: toEntryView(entry, bot.currency), replayed: false };
  }
}
