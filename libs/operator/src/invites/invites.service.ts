import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Actor, DomainError, ErrorCode, isUuid, Page, pageOf, pageOffset } from '@botfleet/common';
import { InviteEntity } from '@botfleet/dal';
import { InvitesRepository, InviteState, PlatformDb } from '@botfleet/platform';
import { actorLabel, OperatorAuditService } from '../operator-audit.service';

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

/** Single-use onboarding invites, made by the operator (platform table). */
@Injectable()
export class InvitesService {
  constructor(
    private readonly platform: PlatformDb,
    private readonly invites: InvitesRepository,
    private readonly audit: OperatorAuditService,
  ) {}

  async list(page: number, pageSize: number, state?: InviteState): Promise<Page<InviteView>> {
    const [rows, total] = await this.invites.page(pageOffset(page, pageSize), pageSize, state);
    return pageOf(rows.map(toView), total, page, pageSize);
  }

  async create(input: { note?: string | null; expiresAt?: Date | null }, actor: Actor): Promise<InviteView> {
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'expiresAt must be in the future', [
        { field: 'expiresAt', errors: ['expiresAt must be in the future'] },
      ]);
    }
    return this.platform.transaction(async (m) => {
      const invite = await this.invites.insert(m, {
        code: `inv_${randomBytes(18).toString('base64url')}`,
        note: input.note ?? null,
        expiresAt: input.expiresAt ?? null,
        createdBy: actorLabel(actor),
      });
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
    if (!isUuid(id)) throw notFound();
    return this.platform.transaction(async (m) => {
      const invite = await this.invites.lock(m, id);
      if (!invite) throw notFound();
      if (invite.usedAt) throw new DomainError(ErrorCode.CONFLICT, 'This invite was already used');
      if (invite.revokedAt) return toView(invite);
      const after = await this.invites.markRevoked(m, id);
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
