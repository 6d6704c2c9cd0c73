import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { VpnPanelEntity } from '@botfleet/dal';
import { PlatformDb } from '../platform-db';

export type VpnPanelValues = QueryDeepPartialEntity<VpnPanelEntity>;

/** The operator's registry of VPN panels (`vpn_panels`, a platform table). */
@Injectable()
export class VpnPanelsRepository {
  constructor(private readonly platform: PlatformDb) {}

  list(): Promise<VpnPanelEntity[]> {
    return this.platform.manager.find(VpnPanelEntity, { order: { createdAt: 'ASC', id: 'ASC' } });
  }

  find(id: string, m: EntityManager = this.platform.manager): Promise<VpnPanelEntity | null> {
    return m.findOneBy(VpnPanelEntity, { id });
  }

  lock(m: EntityManager, id: string): Promise<VpnPanelEntity | null> {
    return m.findOne(VpnPanelEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async insert(m: EntityManager, values: VpnPanelValues & { id: string }): Promise<VpnPanelEntity> {
    await m.insert(VpnPanelEntity, values);
    return m.findOneByOrFail(VpnPanelEntity, { id: values.id });
  }

  async update(m: EntityManager, id: string, changes: VpnPanelValues): Promise<VpnPanelEntity> {
    await m.update(VpnPanelEntity, { id }, changes);
    return m.findOneByOrFail(VpnPanelEntity, { id });
  }
}
