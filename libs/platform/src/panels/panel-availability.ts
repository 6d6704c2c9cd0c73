import { Injectable } from '@nestjs/common';
import { isUuid } from '@botfleet/common';
import { PlatformDb } from '../platform-db';

/**
 * Read-only answers about VPN panels for tenant-facing code (vpn_panels is a platform table the
 * application role cannot read). Says only whether an id is an active panel; nothing else leaks.
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
}
