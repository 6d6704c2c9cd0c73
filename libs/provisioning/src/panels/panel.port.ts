import type { ErrorCode } from '@botfleet/common';

/** Panel families botfleet can provision on. `xui` is 3x-ui (MHSanaei/3x-ui). */
export type PanelType = 'remnawave' | 'marzban' | 'xui';

export const PANEL_TYPES: readonly PanelType[] = ['remnawave', 'marzban', 'xui'];

export interface ApiKeyCredentials {
  apiKey: string;
}

export interface PasswordCredentials {
  username: string;
  password: string;
}

export type PanelCredentials = ApiKeyCredentials | PasswordCredentials;

/** Remnawave reset periods (`RESET_PERIODS` in the Remnawave contract). */
export type RemnawaveTrafficLimitStrategy = 'NO_RESET' | 'DAY' | 'WEEK' | 'MONTH';

export interface RemnawaveSettings {
  /** Internal squad UUIDs a new user joins; without them the user has no hosts in its subscription. */
  activeInternalSquads?: string[];
  /** Defaults to `NO_RESET`: a sold package is a fixed amount of traffic. */
  trafficLimitStrategy?: RemnawaveTrafficLimitStrategy;
}

export interface MarzbanSettings {
  /** Protocol settings per protocol, e.g. `{ vless: { flow: '' } }`. Marzban needs at least one. */
  proxies: Record<string, Record<string, unknown>>;
  /** Inbound tags per protocol; a protocol left out gets every inbound of that protocol (Marzban's rule). */
  inbounds?: Record<string, string[]>;
}

export interface XuiSettings {
  /** The inbound new clients are added to. */
  inboundId: number;
  /** Public subscription prefix, e.g. `https://sub.example.com:2096/sub/`; the client's subId is appended. */
  subscriptionBaseUrl: string;
  /** VLESS flow for new clients, e.g. `xtls-rprx-vision`; empty by default. */
  flow?: string;
}

interface PanelConfigBase {
  /** Our id of the panel (vpn_panels.id); keys the shared login cache. */
  id: string;
  /** Root of the panel, including any secret web base path (3x-ui) or reverse-proxy prefix. */
  baseUrl: string;
}

export interface RemnawavePanelConfig extends PanelConfigBase {
  type: 'remnawave';
  credentials: ApiKeyCredentials;
  settings?: RemnawaveSettings;
}

export interface MarzbanPanelConfig extends PanelConfigBase {
  type: 'marzban';
  credentials: PasswordCredentials;
  settings: MarzbanSettings;
}

export interface XuiPanelConfig extends PanelConfigBase {
  type: 'xui';
  credentials: PasswordCredentials;
  settings: XuiSettings;
}

export type PanelConfig = RemnawavePanelConfig | MarzbanPanelConfig | XuiPanelConfig;

/** What a paid order asks the panel for. */
export interface PanelUserSpec {
  /** From `panelUsername()`: deterministic, so a retried job finds the account it made. */
  username: string;
  expireAt: Date;
  /** 0 = unlimited. */
  trafficLimitBytes: number;
  /** 0 = unlimited. Marzban has no device limit and ignores it. */
  deviceLimit: number;
  /** Stored where the panel has a field for it (Remnawave, 3x-ui). */
  telegramId?: number;
  /** Free text for operators: Remnawave description, Marzban note, 3x-ui comment. */
  note?: string;
}

export interface PanelUserExtension {
  /** The new absolute expiry (the caller adds the purchased period). */
  expireAt: Date;
  trafficLimitBytes?: number;
  deviceLimit?: number;
}

export type PanelUserStatus = 'active' | 'disabled' | 'expired' | 'limited';

export interface PanelUser {
  username: string;
  /** Absolute URL the end user imports into the VPN client. */
  subscriptionUrl: string;
  usedTrafficBytes: number;
  /** 0 = unlimited. */
  trafficLimitBytes: number;
  /** null = never expires (possible on accounts made by hand on the panel). */
  expireAt: Date | null;
  status: PanelUserStatus;
  /** null when the panel has no such limit (Marzban). */
  deviceLimit: number | null;
  /** The panel's own id (Remnawave user uuid, 3x-ui client id); Marzban has none besides the username. */
  externalId?: string;
}

export type PanelHealth =
  { ok: true; latencyMs: number } | { ok: false; latencyMs: number; code: ErrorCode; message: string };

/**
 * One VPN panel. Every method throws `DomainError` with a PANEL_* code:
 * PANEL_AUTH_FAILED, PANEL_USER_NOT_FOUND, PANEL_USER_EXISTS, PANEL_UNAVAILABLE (network, timeout, 5xx, 429;
 * worth a retry) or PANEL_REJECTED (the panel refused the request or answered something we cannot read;
 * a retry will not help).
 */
export interface PanelAdapter {
  readonly panelId: string;
  readonly type: PanelType;
  /**
   * Creates the user, or adopts an existing one of that username (a retry after a crash) and brings it to
   * the spec, active. Never makes a second account.
   */
  upsertUser(spec: PanelUserSpec): Promise<PanelUser>;
  /** Sets a new expiry (and optionally limits); lifts an expired/limited state but not an explicit disable. */
  extendUser(username: string, extension: PanelUserExtension): Promise<PanelUser>;
  /** Throws PANEL_USER_NOT_FOUND when the panel has no such user. */
  getUser(username: string): Promise<PanelUser>;
  /** Idempotent: disabling a disabled user succeeds. */
  setEnabled(username: string, enabled: boolean): Promise<void>;
  /** Throws PANEL_USER_NOT_FOUND when the user is already gone. */
  deleteUser(username: string): Promise<void>;
  /** Never throws: reachability plus a credential check. */
  healthCheck(): Promise<PanelHealth>;
}
