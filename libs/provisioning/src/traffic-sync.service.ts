import { Inject, Injectable, Logger } from '@nestjs/common';
import { clampCounter, DomainError, ErrorCode } from '@botfleet/common';

import { createPanelAdapter } from './panels/panel-adapter.factory';
import type { PanelAdapter } from './panels/panel.port';
import {
  PANEL_DIRECTORY,
  TRAFFIC_STORE,
  type PanelDirectoryPort,
  type TrafficStorePort,
  type TrafficTarget,
  type UsageReading,
} from './provisioning.ports';

export interface TrafficSyncOptions {
  /** Users read from one panel at once. */
  concurrency: number;
  /** Pause between two batches on one panel. */
  pauseMs: number;
}

export interface PanelSyncReport {
  panelId: string;
  /** Subscriptions whose usage was read and stored. */
  updated: number;
  /** Reads that failed (the old values stay). */
  failed: number;
  /** The panel looked down (a whole batch failed for panel reasons); the rest was left for next time. */
  gaveUp: boolean;
}

/** Panel errors that mean "the panel, not this user": reading more users now would only hammer it. */
const PANEL_DOWN: ReadonlySet<ErrorCode> = new Set([ErrorCode.PANEL_UNAVAILABLE, ErrorCode.PANEL_AUTH_FAILED]);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reads used traffic back from the panels into `subscriptions.traffic_used_bytes` and each bot's
 * `traffic_consumed_bytes`. Panels are synced side by side and independently: one that is down keeps its
 * old values and does not hold up or fail the others. On one panel, users are read `concurrency` at a time
 * with a pause between batches, so a sync never hammers a panel; each batch is stored as it completes.
 */
@Injectable()
export class TrafficSyncService {
  private readonly logger = new Logger(TrafficSyncService.name);

  constructor(
    @Inject(PANEL_DIRECTORY) private readonly directory: PanelDirectoryPort,
    @Inject(TRAFFIC_STORE) private readonly store: TrafficStorePort,
  ) {}

  /** Every panel with active subscriptions, or only `panelId`. Never throws for one panel's trouble. */
  async syncAll(options: TrafficSyncOptions, panelId?: string): Promise<PanelSyncReport[]> {
    const panels = await this.store.panelsToSync(panelId);
    const settled = await Promise.allSettled(panels.map((id) => this.syncPanel(id, options)));
    return settled.map((s, i) => {
      if (s.status === 'fulfilled') return s.value;
      this.logger.warn({ panelId: panels[i], err: describe(s.reason) }, 'traffic sync of a panel failed');
      return { panelId: panels[i], updated: 0, failed: 0, gaveUp: true };
    });
  }

  async syncPanel(panelId: string, options: TrafficSyncOptions): Promise<PanelSyncReport> {
    const adapter = createPanelAdapter(await this.directory.getPanelConfig(panelId));
    const targets = await this.store.activeSubscriptions(panelId);
    const report: PanelSyncReport = { panelId, updated: 0, failed: 0, gaveUp: false };
    const size = Math.max(1, options.concurrency);
    for (let i = 0; i < targets.length; i += size) {
      if (i > 0 && options.pauseMs > 0) await sleep(options.pauseMs);
      const batch = targets.slice(i, i + size);
      const results = await Promise.allSettled(batch.map((t) => this.read(adapter, t)));
      const readings: UsageReading[] = [];
      let panelDown = 0;
      results.forEach((r) => {
        if (r.status === 'fulfilled') {
          if (r.value) readings.push(r.value);
          return;
        }
        report.failed += 1;
        if (DomainError.is(r.reason) && PANEL_DOWN.has(r.reason.code)) panelDown += 1;
      });
      if (readings.length) {
        await this.store.saveUsage(readings);
        report.updated += readings.length;
      }
      if (panelDown === batch.length) {
        report.gaveUp = true;
        this.logger.warn({ panelId, left: targets.length - i - batch.length }, 'panel looks down; traffic sync stops');
        break;
      }
    }
    if (!report.gaveUp) await this.store.recountLoad(panelId);
    return report;
  }

  /** null when the panel has no such user any more (nothing to store). */
  private async read(adapter: PanelAdapter, target: TrafficTarget): Promise<UsageReading | null> {
    try {
      const user = await adapter.getUser(target.panelUsername);
      // A panel's figure is outside input: whatever it says (negative, past 2^53, 1e21) is stored within 0..MAX_COUNTER.
      const usedBytes = clampCounter(user.usedTrafficBytes);
      return { botId: target.botId, subscriptionId: target.subscriptionId, usedBytes };
    } catch (err) {
      if (DomainError.is(err, ErrorCode.PANEL_USER_NOT_FOUND)) return null;
      throw err;
    }
  }
}

function describe(err: unknown): string {
  if (DomainError.is(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.name : 'unknown error';
}
