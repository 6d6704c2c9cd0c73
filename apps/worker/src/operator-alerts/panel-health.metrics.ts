import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { PanelsRegistryService } from '@botfleet/operator';

let readPanels: (() => Promise<{ name: string; up: boolean }[]>) | null = null;

/**
 * `botfleet_panel_up{panel}`: 1 when the panel's last health check (the operator-alerts round records it in the
 * database, whichever worker ran it) passed, 0 when it failed; read at scrape time, so every worker reports the
 * same current value. Paused panels and panels never checked are left out.
 */
export const panelUp = new Gauge({
  name: 'botfleet_panel_up',
  help: 'VPN panels by their last health check: 1 passed, 0 failed (active panels that were checked)',
  labelNames: ['panel'],
  async collect() {
    if (!readPanels) return;
    const panels = await readPanels().catch(() => null);
    if (!panels) return;
    this.reset();
    for (const p of panels) this.set({ panel: p.name }, p.up ? 1 : 0);
  },
});

@Injectable()
export class PanelHealthMetrics implements OnModuleInit, OnModuleDestroy {
  constructor(private readonly panels: PanelsRegistryService) {}

  onModuleInit(): void {
    readPanels = async () =>
      (await this.panels.list())
        .filter((p) => p.isActive && p.lastHealthOk !== null)
        .map((p) => ({ name: p.name, up: p.lastHealthOk === true }));
  }

  onModuleDestroy(): void {
    readPanels = null;
  }
}
