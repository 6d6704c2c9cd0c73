import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, isUuid } from '@botfleet/common';
import { VpnPanelEntity } from '@botfleet/dal';
import { SecretBox } from '@botfleet/secrets';
import { PlatformDb } from '../platform-db';

const CHOOSE_ATTEMPTS = 50;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type PanelType = VpnPanelEntity['type'];

/** A panel's stored configuration with its credentials decrypted; the provisioning adapter parses it. */
export interface StoredPanelConfig {
  id: string;
  type: string;
  baseUrl: string;
  credentials: unknown;
  settings: Record<string, unknown>;
}

/**
 * Provisioning's view of `vpn_panels` (a platform table) through the platform pool: decrypted
 * configurations, the choice of a panel for a new subscription, and the `active_users` counters. The
 * provisioning port is bound to it through the operator's adapter.
 */
@Injectable()
export class PanelDirectoryRepository {
  constructor(
    private readonly platform: PlatformDb,
    private readonly box: SecretBox,
  ) {}

  async getStoredConfig(panelId: string): Promise<StoredPanelConfig> {
    const row = isUuid(panelId) ? await this.platform.manager.findOneBy(VpnPanelEntity, { id: panelId }) : null;
    if (!row) throw new DomainError(ErrorCode.NOT_FOUND, 'Panel not found');
    // The panel id is the associated data: a ciphertext copied onto another panel row does not decrypt.
    const credentials: unknown = JSON.parse(this.box.decrypt(row.credentialsCiphertext, row.id));
    return { id: row.id, type: row.type, baseUrl: row.baseUrl, credentials, settings: row.settings };
  }

  /**
   * The plan's panel when it is set and active (an explicit choice of the tenant, so its capacity is not
   * second-guessed), else the active panel of the location with room that is least loaded relative to its
   * capacity; no location = any location. The slot is taken in the same statement that picks the panel, so
   * two concurrent choices cannot both take the last slot.
   */
  async choosePanel(criteria: {
    panelId?: string | null;
    location?: string | null;
  }): Promise<{ id: string; type: PanelType }> {
    // UPDATE … RETURNING inside a CTE: TypeORM hands back plain rows for a SELECT, [rows, count] for an UPDATE.
    if (criteria.panelId && isUuid(criteria.panelId)) {
      const pinned: { id: string; type: PanelType }[] = await this.platform.manager.query(
        `WITH taken AS (
           UPDATE vpn_panels SET active_users = active_users + 1, updated_at = now()
            WHERE id = $1 AND is_active
           RETURNING id, type
         ) SELECT id, type FROM taken`,
        [criteria.panelId],
      );
      if (pinned.length) return pinned[0];
    }
    const location = criteria.location ?? null;
    // The candidate is locked with SKIP LOCKED: a choice never waits for another one's row lock, so two
    // choices cannot lock two panels in opposite orders (the order follows the load, which changes under
    // them) and deadlock. When every panel with room is locked at this instant, wait a moment and look again
    // for as long as any panel of the location still has room.
    for (let attempt = 0; attempt < CHOOSE_ATTEMPTS; attempt++) {
      const chosen: { id: string; type: PanelType }[] = await this.platform.manager.query(
        `WITH taken AS (
           UPDATE vpn_panels SET active_users = active_users + 1, updated_at = now()
            WHERE active_users < capacity AND id = (
              SELECT id FROM vpn_panels
               WHERE is_active AND active_users < capacity AND ($1::varchar IS NULL OR location = $1)
               ORDER BY active_users::float8 / GREATEST(capacity, 1), active_users, id
               LIMIT 1
               FOR UPDATE SKIP LOCKED
            )
           RETURNING id, type
         ) SELECT id, type FROM taken`,
        [location],
      );
      if (chosen.length) return chosen[0];
      const room: unknown[] = await this.platform.manager.query(
        `SELECT 1 FROM vpn_panels
          WHERE is_active AND active_users < capacity AND ($1::varchar IS NULL OR location = $1) LIMIT 1`,
        [location],
      );
      if (!room.length) break;
      await sleep(2 + Math.floor(Math.random() * 8));
    }
    throw new DomainError(
      ErrorCode.NO_PANEL_AVAILABLE,
      location ? `No active panel with room in location ${location}` : 'No active panel with room',
      { location },
    );
  }

  async adjustLoad(panelId: string, delta: number): Promise<void> {
    if (!isUuid(panelId) || !Number.isInteger(delta) || delta === 0) return;
    await this.platform.manager.query(
      `UPDATE vpn_panels SET active_users = GREATEST(active_users + $2, 0), updated_at = now() WHERE id = $1`,
      [panelId, delta],
    );
  }
}
