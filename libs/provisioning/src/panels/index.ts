export * from './panel.port';
export * from './panel-username';
export * from './panel-adapter.factory';
export type { PanelAdapterOptions } from './panel-adapter.options';
export { DEFAULT_PANEL_TIMEOUT_MS, type FetchLike } from './panel-http.client';
export { PanelSessionStore, KeyedMutex, defaultPanelSessionStore, type PanelAuthSession } from './panel-session.store';
export { RemnawaveAdapter } from './remnawave.adapter';
export { MarzbanAdapter } from './marzban.adapter';
export { XuiAdapter } from './xui.adapter';
