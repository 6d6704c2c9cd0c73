import { Injectable } from '@nestjs/common';
import { isUuid } from '@botfleet/common';
import { VpnPanelEntity } from '@botfleet/dal';
import { PlatformDb } from '../platform-db';

/** What a shop may know of a panel to put a plan on it: no address, type, credentials or load. */
export interface OfferedPanel {
  id: string;
  name: string;
  location: string | null;
}

/**
 * Read-only answers about VPN panels for tenant-facing code (vpn_panels is a platform table the
 * application role cannot read): whether an id is an active panel, and the active panels' names and
 * locations for a plan's panel picker; nothing else leaks.
 */
@Injectable()
export class PanelAvailability {
  constructor(private readonly platform: PlatformDb) {}

  async isActivePanel(panelId: string): Promise<boolean> {
    if (!isUuid(panelId)) return false;
    const rows: unknown[] = await this.platform.manager.query(`SELECT 1 FROM vpn_panels WHERE id = $1 AND is_active`, [
      panelId,
    ]);
    return rows.length > 0;
  }

  /** The active panels a plan may name, by location then name. */
  async listActive(): Promise<OfferedPanel[]> {
    const rows = await this.platform.manager.find(VpnPanelEntity, {
      select: { id: true, name: true, location: true },
      where: { isActive: true },
      order: { location: 'ASC', name: 'ASC', id: 'ASC' },
    });
    return rows.map((r) => ({ id: r.id, name: r.name, location: r.location }));
  }
}
