import { Injectable } from '@nestjs/common';
import { AuditService } from '@botfleet/audit';
import { Actor, DomainError, ErrorCode, Page, pageOf, pageOffset } from '@botfleet/common';
import { PromocodeEntity, TenantDb, TenantRepositories } from '@botfleet/dal';
import { normalizePromoCode, PROMO_KINDS, PromoKind, valueRange } from './promo-rules';

export interface PromoCodeInput {
  code: string;
  kind: PromoKind;
  value: number;
  maxUses?: number | null;
  perUserLimit?: number;
  validFrom?: Date | null;
  validUntil?: Date | null;
  isActive?: boolean;
  planId?: string | null;
  firstPurchaseOnly?: boolean;
}

/** What may change after creation: everything but the code and its kind. */
export type PromoCodePatch = Partial<Omit<PromoCodeInput, 'code' | 'kind'>>;

const invalid = (field: string, error: string): DomainError =>
  new DomainError(ErrorCode.VALIDATION_FAILED, `${field} ${error}`, [{ field, errors: [error] }]);

const isUniqueViolation = (e: unknown): boolean => (e as { code?: string } | null)?.code === '23505';

/**
 * The tenant's promo codes (REST /v1/bots/{botId}/promo-codes): create, list, read, change, delete. A code that
 * has been used is deactivated instead of deleted (its orders and uses keep pointing at it).
 */
@Injectable()
export class PromoCodesService {
  constructor(
    private readonly db: TenantDb,
    private readonly repos: TenantRepositories,
    private readonly audit: AuditService,
  ) {}

  async list(botId: string, page: number, pageSize: number): Promise<Page<PromocodeEntity>> {
    const [items, total] = await Promise.all([
      this.repos.promocodes.find(botId, {
        order: { createdAt: 'DESC', id: 'ASC' },
        skip: pageOffset(page, pageSize),
        take: pageSize,
      }),
      this.repos.promocodes.count(botId),
    ]);
    return pageOf(items, total, page, pageSize);
  }

  async get(botId: string, id: string): Promise<PromocodeEntity> {
    const code = await this.repos.promocodes.findById(botId, id);
    if (!code) throw new DomainError(ErrorCode.NOT_FOUND, 'Promo code not found');
    return code;
  }

  /** Every change is written to the tenant's audit log with `actor` (the same transaction). */
  async create(botId: string, input: PromoCodeInput, actor: Actor): Promise<PromocodeEntity> {
    const code = normalizePromoCode(input.code);
    if (!code) throw invalid('code', 'must be 3–32 letters, digits, _ or -');
    if (!PROMO_KINDS.includes(input.kind)) throw invalid('kind', `must be one of: ${PROMO_KINDS.join(', ')}`);
    const merged = {
      value: input.value,
      maxUses: input.maxUses ?? null,
      perUserLimit: input.perUserLimit ?? 1,
      validFrom: input.validFrom ?? null,
      validUntil: input.validUntil ?? null,
      isActive: input.isActive ?? true,
      planId: input.planId ?? null,
      firstPurchaseOnly: input.firstPurchaseOnly ?? false,
    };
    return this.db.run(botId, async () => {
      await this.check(botId, input.kind, merged, 0);
      let created: PromocodeEntity;
      try {
        created = await this.db.atomic(botId, () =>
          this.repos.promocodes.insert(botId, { code, kind: input.kind, usesCount: 0, ...merged }),
        );
      } catch (e) {
        if (isUniqueViolation(e)) throw new DomainError(ErrorCode.CONFLICT, 'A promo code with this code exists');
        throw e;
      }
      await this.audit.record(botId, {
        actor,
        action: 'promo_code.create',
        targetType: 'promo_code',
        targetId: created.id,
        after: { code: created.code, kind: created.kind, ...merged },
      });
      return created;
    });
  }

  async update(botId: string, id: string, patch: PromoCodePatch, actor: Actor): Promise<PromocodeEntity> {
    return this.db.run(botId, async () => {
      const current = await this.repos.promocodes.findById(botId, id, 'pessimistic_write');
      if (!current) throw new DomainError(ErrorCode.NOT_FOUND, 'Promo code not found');
      const merged = {
        value: patch.value ?? current.value,
        maxUses: patch.maxUses === undefined ? current.maxUses : patch.maxUses,
        perUserLimit: patch.perUserLimit ?? current.perUserLimit,
        validFrom: patch.validFrom === undefined ? current.validFrom : patch.validFrom,
        validUntil: patch.validUntil === undefined ? current.validUntil : patch.validUntil,
        isActive: patch.isActive ?? current.isActive,
        planId: patch.planId === undefined ? current.planId : patch.planId,
        firstPurchaseOnly: patch.firstPurchaseOnly ?? current.firstPurchaseOnly,
      };
      await this.check(botId, current.kind, merged, current.usesCount);
      await this.repos.promocodes.update(botId, { id }, merged);
      const { value, maxUses, perUserLimit, validFrom, validUntil, isActive, planId, firstPurchaseOnly } = current;
      await this.audit.record(botId, {
        actor,
        action: 'promo_code.update',
        targetType: 'promo_code',
        targetId: id,
        before: { value, maxUses, perUserLimit, validFrom, validUntil, isActive, planId, firstPurchaseOnly },
        after: merged,
      });
      return (await this.repos.promocodes.findById(botId, id))!;
    });
  }

  /** Deletes an unused code; a used one is deactivated. Returns what happened. */
  async remove(botId: string, id: string, actor: Actor): Promise<'deleted' | 'deactivated'> {
    return this.db.run(botId, async () => {
      const current = await this.repos.promocodes.findById(botId, id, 'pessimistic_write');
      if (!current) throw new DomainError(ErrorCode.NOT_FOUND, 'Promo code not found');
      const used =
        current.usesCount > 0 ||
        (await this.repos.promocodeUses.count(botId, { promocodeId: id })) > 0 ||
        (await this.repos.orders.count(botId, { promocodeId: id })) > 0;
      const outcome = used ? 'deactivated' : 'deleted';
      if (used) await this.repos.promocodes.update(botId, { id }, { isActive: false });
      else await this.repos.promocodes.delete(botId, { id });
      await this.audit.record(botId, {
        actor,
        action: `promo_code.${outcome === 'deleted' ? 'delete' : 'deactivate'}`,
        targetType: 'promo_code',
        targetId: id,
        before: { code: current.code, isActive: current.isActive, usesCount: current.usesCount },
      });
      return outcome;
    });
  }

  private async check(
    botId: string,
    kind: PromoKind,
    c: Omit<PromoCodeInput, 'code' | 'kind'>,
    usesCount: number,
  ): Promise<void> {
    const range = valueRange(kind);
    if (!Number.isSafeInteger(c.value) || c.value < range.min || c.value > range.max) {
      throw invalid('value', `must be an integer from ${range.min} to ${range.max} for kind ${kind}`);
    }
    if (c.maxUses !== null && c.maxUses !== undefined) {
      if (!Number.isSafeInteger(c.maxUses) || c.maxUses < 1 || c.maxUses > 1_000_000_000) {
        throw invalid('maxUses', 'must be an integer from 1 to 1000000000, or null');
      }
      if (c.maxUses < usesCount) throw invalid('maxUses', `must not be below the ${usesCount} uses so far`);
    }
    const perUser = c.perUserLimit ?? 1;
    if (!Number.isSafeInteger(perUser) || perUser < 1 || perUser > 1000) {
      throw invalid('perUserLimit', 'must be an integer from 1 to 1000');
    }
    if (c.validFrom && c.validUntil && c.validFrom >= c.validUntil) {
      throw invalid('validUntil', 'must be after validFrom');
    }
    if (c.planId) {
      if (kind === 'balance') throw invalid('planId', 'a wallet bonus is not tied to a plan');
      if (!(await this.repos.plans.findById(botId, c.planId))) throw invalid('planId', 'is not a plan of this bot');
    }
  }
}
