import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { InviteEntity } from '@botfleet/dal';
import { PlatformDb } from '../platform-db';

export type InviteState = 'active' | 'used' | 'revoked' | 'expired';

const STATE_WHERE: Record<InviteState, string> = {
  active: `used_at IS NULL AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
  used: `used_at IS NOT NULL`,
  revoked: `used_at IS NULL AND revoked_at IS NOT NULL`,
  expired: `used_at IS NULL AND revoked_at IS NULL AND expires_at <= now()`,
};

/** Single-use onboarding invites (a platform table). */
@Injectable()
export class InvitesRepository {
  constructor(private readonly platform: PlatformDb) {}

  /** Newest first, optionally only those in one state, with the total. */
  page(skip: number, take: number, state?: InviteState): Promise<[InviteEntity[], number]> {
    const qb = this.platform.manager
      .createQueryBuilder(InviteEntity, 'i')
      .orderBy('i.createdAt', 'DESC')
      .addOrderBy('i.id', 'DESC')
      .skip(skip)
      .take(take);
    if (state) qb.where(STATE_WHERE[state]);
    return qb.getManyAndCount();
  }

  insert(
    m: EntityManager,
    values: Pick<InviteEntity, 'code' | 'note' | 'expiresAt' | 'createdBy'>,
  ): Promise<InviteEntity> {
    return m.save(m.create(InviteEntity, values));
  }

  lock(m: EntityManager, id: string): Promise<InviteEntity | null> {
    return m.findOne(InviteEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async markRevoked(m: EntityManager, id: string): Promise<InviteEntity> {
    await m.update(InviteEntity, { id }, { revokedAt: () => 'now()' });
    return m.findOneByOrFail(InviteEntity, { id });
  }
}
