import { DomainError, ErrorCode } from '@botfleet/common';

import { asNumber, asString, isRecord, type JsonRecord } from './json';
import { MarzbanAdapter } from './marzban.adapter';
import type { PanelAdapterOptions } from './panel-adapter.options';
import type { PanelAdapter, PanelConfig, PanelType, RemnawaveTrafficLimitStrategy } from './panel.port';
import { RemnawaveAdapter } from './remnawave.adapter';
import { XuiAdapter } from './xui.adapter';

/** The adapter for a panel. Cheap to build: logins live in the shared session store, not the adapter. */
export function createPanelAdapter(config: PanelConfig, options: PanelAdapterOptions = {}): PanelAdapter {
  switch (config.type) {
    case 'remnawave':
      return new RemnawaveAdapter(config, options);
    case 'marzban':
      return new MarzbanAdapter(config, options);
    case 'xui':
      return new XuiAdapter(config, options);
  }
}

const STRATEGIES: readonly RemnawaveTrafficLimitStrategy[] = ['NO_RESET', 'DAY', 'WEEK', 'MONTH'];

/**
 * Checks a panel configuration that arrives as data (admin API body, decrypted database row) and returns
 * it typed. Every problem is listed in one VALIDATION_FAILED error; secrets are never echoed.
 */
export function parsePanelConfig(input: unknown): PanelConfig {
  const problems: string[] = [];
  const raw: JsonRecord = isRecord(input) ? input : {};
  if (!isRecord(input)) problems.push('config must be an object');
  const id = asString(raw.id);
  const type = asString(raw.type) as PanelType | undefined;
  const baseUrl = asString(raw.baseUrl);
  const credentials: JsonRecord = isRecord(raw.credentials) ? raw.credentials : {};
  const settings: JsonRecord = isRecord(raw.settings) ? raw.settings : {};
  if (!id) problems.push('id is required');
  if (!baseUrl || !/^https?:\/\/[^/]/i.test(baseUrl)) problems.push('baseUrl must be an http(s) URL');
  const apiKey = asString(credentials.apiKey);
  const username = asString(credentials.username);
  const password = asString(credentials.password);
  const fail = (): never => {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, `Invalid panel config: ${problems.join('; ')}`, { problems });
  };

  switch (type) {
    case 'remnawave': {
      if (!apiKey) problems.push('credentials.apiKey is required');
      const squads = settings.activeInternalSquads;
      if (squads !== undefined && !(Array.isArray(squads) && squads.every((s) => typeof s === 'string'))) {
        problems.push('settings.activeInternalSquads must be a list of squad UUIDs');
      }
      const strategy = settings.trafficLimitStrategy;
      if (strategy !== undefined && !STRATEGIES.includes(strategy as RemnawaveTrafficLimitStrategy)) {
        problems.push(`settings.trafficLimitStrategy must be one of ${STRATEGIES.join(', ')}`);
      }
      if (problems.length > 0 || !id || !baseUrl || !apiKey) return fail();
      return {
        id,
        type,
        baseUrl,
        credentials: { apiKey },
        settings: {
          ...(Array.isArray(squads) ? { activeInternalSquads: squads.map(String) } : {}),
          ...(strategy !== undefined ? { trafficLimitStrategy: strategy as RemnawaveTrafficLimitStrategy } : {}),
        },
      };
    }
    case 'marzban': {
      if (!username || !password) problems.push('credentials.username and credentials.password are required');
      const proxies = settings.proxies;
      if (!isRecord(proxies) || Object.keys(proxies).length === 0 || !Object.values(proxies).every(isRecord)) {
        problems.push('settings.proxies must map at least one protocol to its settings, e.g. { "vless": {} }');
      }
      const inbounds = settings.inbounds;
      if (
        inbounds !== undefined &&
        !(
          isRecord(inbounds) &&
          Object.values(inbounds).every((t) => Array.isArray(t) && t.every((x) => typeof x === 'string'))
        )
      ) {
        problems.push('settings.inbounds must map protocols to lists of inbound tags');
      }
      if (problems.length > 0 || !id || !baseUrl || !username || !password || !isRecord(proxies)) return fail();
      return {
        id,
        type,
        baseUrl,
        credentials: { username, password },
        settings: {
          proxies: proxies as Record<string, Record<string, unknown>>,
          ...(isRecord(inbounds) ? { inbounds: inbounds as Record<string, string[]> } : {}),
        },
      };
    }
    case 'xui': {
      if (!username || !password) problems.push('credentials.username and credentials.password are required');
      const inboundId = asNumber(settings.inboundId);
      if (inboundId === undefined || !Number.isInteger(inboundId) || inboundId <= 0) {
        problems.push('settings.inboundId must be a positive integer');
      }
      const subscriptionBaseUrl = asString(settings.subscriptionBaseUrl);
      if (!subscriptionBaseUrl || !/^https?:\/\/[^/]/i.test(subscriptionBaseUrl)) {
        problems.push('settings.subscriptionBaseUrl must be an http(s) URL');
      }
      const flow = settings.flow;
      if (flow !== undefined && typeof flow !== 'string') problems.push('settings.flow must be a string');
      if (problems.length > 0 || !id || !baseUrl || !username || !password || !inboundId || !subscriptionBaseUrl) {
        return fail();
      }
      return {
        id,
        type,
        baseUrl,
        credentials: { username, password },
        settings: { inboundId, subscriptionBaseUrl, ...(typeof flow === 'string' ? { flow } : {}) },
      };
    }
    default:
      problems.push('type must be remnawave, marzban or xui');
      return fail();
  }
}
