import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DomainError, ErrorCode } from '@botfleet/common';
import { InviteEntity } from '@botfleet/dal';
import { Actor } from '../actor';
import { PlatformDb } from '../platform-db';
import { PlatformAuditService } from '../platform-audit.service';
import { Page } from '../wallet/tenant-wallet.service';

export type InviteState = 'active' | 'used' | 'revoked' | 'expired';

export interface InviteView {
  id: string;
  code: string;
  note: string | null;
  state: InviteState;
  expiresAt: string | null;
  usedAt: string | null;
  usedByBotId: string | null;
  revokedAt: string | null;
  createdBy: string;
  createdAt: string;
}

function stateOf(i: InviteEntity, now = Date.now()): InviteState {
  if (i.usedAt) return 'used';
  if (i.revokedAt) return 'revoked';
  if (i.expiresAt && i.expiresAt.getTime() <= now) return 'expired';
  return 'active';
}

function toView(i: InviteEntity): InviteView {
  return {
    id: i.id,
    code: i.code,
    note: i.note,
    state: stateOf(i),
    expiresAt: i.expiresAt?.toISOString() ?? null,
    usedAt: i.usedAt?.toISOString() ?? null,
    usedByBotId: i.usedByBotId,
    revokedAt: i.revokedAt?.toISOString() ?? null,
    createdBy: i.createdBy,
    createdAt: i.createdAt.toISOString(),
  };
}

const notFound = () => new DomainError(ErrorCode.NOT_FOUND, 'Invite not found');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Single-use onboarding invites, made by the operator (platform table). */
@Injectable()
export class InvitesService {
  constructor(
    private readonly platform: PlatformDb,
    private readonly audit: PlatformAuditService,
  ) {}

  async list(page: number, pageSize: number, state?: InviteState): Promise<Page<InviteView>> {
    const where: Record<string, string> = {
      active: `used_at IS NULL AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      used: `used_at IS NOT NULL`,
      revoked: `used_at IS NULL AND revoked_at IS NOT NULL`,
      expired: `used_at IS NULL AND revoked_at IS NULL AND expires_at <= now()`,
    };
    const qb = this.platform.manager
      .createQueryBuilder(InviteEntity, 'i')
      .orderBy('i.createdAt', 'DESC')
      .addOrderBy('i.id', 'DESC')
      .skip((page - 1) * pageSize)
      .take(pageSize);
    if (state) qb.where(where[state]);
    const [rows, total] = await qb.getManyAndCount();
    return { items: rows.map(toView), total, page, pageSize };
  }

  async create(input: { note?: string | null; expiresAt?: Date | null }, actor: Actor): Promise<InviteView> {
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'expiresAt must be in the future', [
        { field: 'expiresAt', errors: ['expiresAt must be in the future'] },
      ]);
    }
    return this.platform.transaction(async (m) => {
      const invite = await m.save(
        m.create(InviteEntity, {
          code: `inv_${randomBytes(18).toString('base64url')}`,
          note: input.note ?? null,
          expiresAt: input.expiresAt ?? null,
          createdBy: `${actor.actorType}:${actor.actorId}`,
        }),
      );
      const view = toView(invite);
      await this.audit.operator(m, actor, {
        action: 'invite.created',
        targetType: 'invite',
        targetId: invite.id,
        // The code is a bearer credential for onboarding: it is not copied into the log.
        after: { note: view.note, expiresAt: view.expiresAt },
      });
      return view;
    });
  }

  /** Revokes an unused invite. Revoking twice is a no-op; a used invite cannot be revoked. */
  async revoke(id: string, actor: Actor): Promise<InviteView> {
    if (!UUID.test(id)) throw notFound();
    return this.platform.transaction(async (m) => {
      const invite = await m.findOne(InviteEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!invite) throw notFound();
      if (invite.usedAt) throw new DomainError(ErrorCode.CONFLICT, 'This invite was already used');
      if (invite.revokedAt) return toView(invite);
      await m.update(InviteEntity, { id }, { revokedAt: () => 'now()' });
      const after = await m.findOneByOrFail(InviteEntity, { id });
      await this.audit.operator(m, actor, {
        action: 'invite.revoked',
        targetType: 'invite',
        targetId: id,
        before: { state: stateOf(invite) },
        after: { state: stateOf(after) },
      });
      return toView(after);
    });
  }
}
