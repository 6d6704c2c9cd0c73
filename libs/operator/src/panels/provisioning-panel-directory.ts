import { Injectable } from '@nestjs/common';
import { PanelDirectoryRepository } from '@botfleet/platform';
import {
  parsePanelConfig,
  type PanelChoice,
  type PanelConfig,
  type PanelCriteria,
  type PanelDirectoryPort,
} from '@botfleet/provisioning';

/**
 * Provisioning's panel port bound to the platform path: decrypted configurations parsed for the adapters,
 * the choice of a panel for a new subscription and the `active_users` counters. Bound to `PANEL_DIRECTORY`
 * in the worker.
 */
@Injectable()
export class ProvisioningPanelDirectory implements PanelDirectoryPort {
  constructor(private readonly panels: PanelDirectoryRepository) {}

  async getPanelConfig(panelId: string): Promise<PanelConfig> {
    return parsePanelConfig(await this.panels.getStoredConfig(panelId));
  }

  choosePanel(criteria: PanelCriteria): Promise<PanelChoice> {
    return this.panels.choosePanel(criteria);
  }

  adjustLoad(panelId: string, delta: number): Promise<void> {
    return this.panels.adjustLoad(panelId, delta);
  }
}
