import { Injectable } from '@nestjs/common';
import { TopUpResult, WholesaleWalletService } from '@botfleet/billing';
import { Actor } from '@botfleet/common';
import { PlatformDb } from '@botfleet/platform';
import { OperatorAuditService } from '../operator-audit.service';

export interface TopUpWalletInput {
  botId: string;
  amountMinor: number;
  note?: string | null;
  /** The request's Idempotency-Key: the same key again answers the first top-up and writes nothing. */
  idempotencyKey: string;
  actor: Actor;
}

/**
 * The operator credits a tenant's wholesale wallet: the wallet service appends the ledger row and the
 * tenant's audit row in one tenant transaction; the operator's own audit row follows on the platform path
 * (a replayed key writes neither).
 */
@Injectable()
export class TopUpWalletUseCase {
  constructor(
    private readonly wallet: WholesaleWalletService,
    private readonly platform: PlatformDb,
    private readonly audit: OperatorAuditService,
  ) {}

  async execute(input: TopUpWalletInput): Promise<TopUpResult> {
    const { botId, actor } = input;
    const result = await this.wallet.topUp(botId, input);
    if (result.replayed) return result;
    const { entry } = result;
    await this.platform.transaction((m) =>
      this.audit.operator(m, actor, {
        action: 'wallet.top_up',
        targetType: 'tenant_wallet_ledger',
        targetId: entry.id,
        targetBotId: botId,
        before: { walletBalanceMinor: entry.balanceAfterMinor - entry.amountMinor },
        after: {
          walletBalanceMinor: entry.balanceAfterMinor,
          ledgerEntryId: entry.id,
          amountMinor: entry.amountMinor,
          note: entry.note,
        },
      }),
    );
    return result;
  }
}
