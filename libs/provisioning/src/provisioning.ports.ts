import type { PanelConfig, PanelType } from './panels/panel.port';

/** Where a new subscription should live: the plan's own panel, else its location. */
export interface PanelCriteria {
  /** The plan's (or the subscription's pre-set) panel; used when it is active. */
  panelId?: string | null;
  /** The plan's location; null or absent = any location. */
  location?: string | null;
}

export interface PanelChoice {
  id: string;
  type: PanelType;
}

/**
 * The registered panels (`vpn_panels`, a platform table the application role cannot read). Implemented on
 * the platform path (libs/platform) and bound in the worker, so this library never touches that pool.
 */
export interface PanelDirectoryPort {
  /** Decrypted configuration of a panel, active or not (accounts already on a deactivated panel live on). */
  getPanelConfig(panelId: string): Promise<PanelConfig>;
  /**
   * The plan's panel if it is active, else the least loaded active panel of the location with room; takes
   * one slot of its `active_users`. Throws NO_PANEL_AVAILABLE.
   */
  choosePanel(criteria: PanelCriteria): Promise<PanelChoice>;
  /** Moves a panel's `active_users` by `delta` (never below 0): slots given back or taken again. */
  adjustLoad(panelId: string, delta: number): Promise<void>;
}

export const PANEL_DIRECTORY = Symbol('PANEL_DIRECTORY');

/** One subscription whose usage a traffic sync reads. */
export interface TrafficTarget {
  botId: string;
  subscriptionId: string;
  panelUsername: string;
}

export interface UsageReading {
  botId: string;
  subscriptionId: string;
  usedBytes: number;
}

/**
 * Cross-bot reads and writes of a traffic sync (platform path): which subscriptions live on a panel, and
 * writing their usage plus each bot's total back.
 */
export interface TrafficStorePort {
  /** Panels that hold at least one active subscription (only `panelId` when given). */
  panelsToSync(panelId?: string): Promise<string[]>;
  /** Active subscriptions of every bot on the panel, least recently synced first. */
  activeSubscriptions(panelId: string): Promise<TrafficTarget[]>;
  /**
   * Stores the readings (`traffic_used_bytes`, `last_synced_at`) and sets `traffic_consumed_bytes` of each bot
   * concerned to the sum over its subscriptions, in one transaction.
   */
  saveUsage(readings: UsageReading[]): Promise<void>;
  /** Recounts the panel's `active_users` from its subscriptions, correcting any drift of the counter. */
  recountLoad(panelId: string): Promise<void>;
}

export const TRAFFIC_STORE = Symbol('TRAFFIC_STORE');

/**
 * What happens after provisioning settles, implemented outside this library (the sale moves the order,
 * refunds, tells people; delivery sends the link). Both are called again when a job is retried after a
 * crash, so implementations must be idempotent.
 */
export interface ProvisioningOutcomesPort {
  /** The panel said yes and the subscription is active (new) or extended (renewal). */
  succeeded(botId: string, subscriptionId: string, orderId?: string): Promise<void>;
  /** Provisioning gave up for good (last attempt, or an error a retry cannot fix). */
  failed(botId: string, subscriptionId: string, orderId: string | undefined, reason: string): Promise<void>;
}

export const PROVISIONING_OUTCOMES = Symbol('PROVISIONING_OUTCOMES');
