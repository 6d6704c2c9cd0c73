import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, MAX_MINOR } from '@botfleet/common';
import { TenantDb, TransactionEntity, UserEntity } from '@botfleet/dal';

export type UserLedgerType = TransactionEntity['type'];

export interface UserLedgerPosting {
  userId: string;
  type: UserLedgerType;
  /** Signed: positive credits the wallet, negative debits it. */
  amountMinor: number;
  /** Unique per bot: `order:{id}:purchase`, `zarinpal:{authority}`, `stars:{chargeId}`, `adjust:{key}` … */
  idempotencyKey: string;
  reference?: string;
  orderId?: string;
  note?: string;
}

export interface PostingResult {
  entry: TransactionEntity;
  /** false when the idempotency key had already been posted: nothing changed. */
  applied: boolean;
}

/**
 * The end user's wallet (RELIABILITY.md 2): the balance changes only by appending a ledger row
 * with a unique idempotency key, in the same transaction as the cached balance update. The user
 * row is locked first, so postings for one user are serial and a replay finds the earlier row.
 */
@Injectable()
export class UserLedgerService {
  constructor(private readonly db: TenantDb) {}

  post(botId: string, p: UserLedgerPosting): Promise<PostingResult> {
    if (!Number.isSafeInteger(p.amountMinor) || p.amountMinor === 0 || Math.abs(p.amountMinor) > MAX_MINOR) {
      throw new DomainError(
        ErrorCode.VALIDATION_FAILED,
        `amountMinor must be a non-zero integer within ±${MAX_MINOR}`,
        [{ field: 'amountMinor', errors: [`must be a non-zero integer within ±${MAX_MINOR}`] }],
      );
    }
    if (!p.idempotencyKey || p.idempotencyKey.length > 200) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'An idempotency key of at most 200 characters is required');
    }
    return this.db.run(botId, async ({ manager }) => {
      const user = await manager.findOne(UserEntity, {
        where: { botId, id: p.userId },
        // NO KEY UPDATE: rows referencing the user (orders) take KEY SHARE on it, which FOR UPDATE would wait on.
        lock: { mode: 'for_no_key_update' },
      });
      if (!user) throw new DomainError(ErrorCode.NOT_FOUND, 'User not found');
      const existing = await manager.findOne(TransactionEntity, { where: { botId, idempotencyKey: p.idempotencyKey } });
      if (existing) {
        if (existing.userId !== p.userId || existing.amountMinor !== p.amountMinor || existing.type !== p.type) {
          throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This idempotency key was used for another posting');
        }
        return { entry: existing, applied: false };
      }
      const balance = user.balanceMinor + p.amountMinor;
      if (!Number.isSafeInteger(balance)) {
        throw new DomainError(ErrorCode.VALIDATION_FAILED, 'The balance would become too large', [
          { field: 'amountMinor', errors: ['the resulting balance is out of range'] },
        ]);
      }
      if (balance < 0) {
        throw new DomainError(ErrorCode.INSUFFICIENT_BALANCE, 'The wallet balance is too low', {
          balanceMinor: user.balanceMinor,
          requiredMinor: -p.amountMinor,
        });
      }
      const entry = await manager.save(
        manager.create(TransactionEntity, {
          botId,
          userId: p.userId,
          type: p.type,
          amountMinor: p.amountMinor,
          balanceAfterMinor: balance,
          idempotencyKey: p.idempotencyKey,
          reference: p.reference ?? null,
          orderId: p.orderId ?? null,
          note: p.note ?? null,
        }),
      );
      await manager.update(UserEntity, { botId, id: p.userId }, { balanceMinor: balance });
      return { entry, applied: true };
    });
  }

  balance(botId: string, userId: string): Promise<number> {
    return this.db.within(botId, async (m) => {
      const u = await m.findOne(UserEntity, { where: { botId, id: userId } });
      if (!u) throw new DomainError(ErrorCode.NOT_FOUND, 'User not found');
      return u.balanceMinor;
    });
  }
}
