import { STATS_PERIODS, StatsPeriod } from '@botfleet/operator';
import { packUuid, unpackUuid } from '../sales/sale-callbacks';

/**
 * Callback data of the operator's master bot (prefix `ms:`). It comes back from the client, so it is input:
 * parsed strictly (every part checked, nothing extra), and only ever acted on for MASTER_ADMIN_TELEGRAM_IDS
 * in the master bot. Ids are packed (22 characters) so every button stays within Telegram's 64 bytes.
 */
export type MasterCallback =
  | { kind: 'home' }
  | { kind: 'cancel' }
  | { kind: 'tenants'; page: number; search: boolean }
  | { kind: 'searchAsk' }
  | { kind: 'card'; botId: string }
  | { kind: 'suspendAsk'; botId: string }
  | { kind: 'suspendConfirm'; botId: string }
  | { kind: 'resumeAsk'; botId: string }
  | { kind: 'resumeConfirm'; botId: string }
  | { kind: 'topUpAsk'; botId: string }
  | { kind: 'topUpConfirm'; botId: string; amountMinor: number; nonce: string }
  | { kind: 'adjustAsk'; botId: string }
  | { kind: 'adjustConfirm'; botId: string; nonce: string }
  | { kind: 'price'; botId: string }
  | { kind: 'priceAsk'; botId: string }
  | { kind: 'priceConfirm'; botId: string }
  | { kind: 'features'; botId: string }
  | { kind: 'featureToggle'; botId: string; index: number; allow: boolean }
  | { kind: 'invites'; page: number }
  | { kind: 'inviteCreate' }
  | { kind: 'inviteRevokeAsk'; inviteId: string }
  | { kind: 'inviteRevokeConfirm'; inviteId: string }
  | { kind: 'panels' }
  | { kind: 'panelPause'; panelId: string }
  | { kind: 'panelResume'; panelId: string }
  | { kind: 'stats'; period: StatsPeriod };

const MAX_PAGE = 100_000;
const NONCE = /^[A-Za-z0-9_-]{12}$/;

export const MasterCallbackData = {
  home: () => 'ms:h',
  cancel: () => 'ms:x',
  tenants: (page: number, search = false) => `ms:${search ? 'tf' : 'tl'}:${page}`,
  searchAsk: () => 'ms:tq',
  card: (botId: string) => `ms:t:${packUuid(botId)}`,
  suspendAsk: (botId: string) => `ms:su:${packUuid(botId)}`,
  suspendConfirm: (botId: string) => `ms:sc:${packUuid(botId)}`,
  resumeAsk: (botId: string) => `ms:re:${packUuid(botId)}`,
  resumeConfirm: (botId: string) => `ms:rc:${packUuid(botId)}`,
  topUpAsk: (botId: string) => `ms:tu:${packUuid(botId)}`,
  /** The confirm tap carries the amount and a nonce: the nonce is the top-up's idempotency key. */
  topUpConfirm: (botId: string, amountMinor: number, nonce: string) =>
    `ms:tc:${packUuid(botId)}:${amountMinor}:${nonce}`,
  adjustAsk: (botId: string) => `ms:aj:${packUuid(botId)}`,
  /** The amount and note wait in the operator's session; the nonce ties the tap to that confirmation (and is its key). */
  adjustConfirm: (botId: string, nonce: string) => `ms:ay:${packUuid(botId)}:${nonce}`,
  price: (botId: string) => `ms:wp:${packUuid(botId)}`,
  priceAsk: (botId: string) => `ms:wa:${packUuid(botId)}`,
  priceConfirm: (botId: string) => `ms:wc:${packUuid(botId)}`,
  features: (botId: string) => `ms:fa:${packUuid(botId)}`,
  featureToggle: (botId: string, index: number, allow: boolean) => `ms:ft:${packUuid(botId)}:${index}:${allow ? 1 : 0}`,
  invites: (page: number) => `ms:il:${page}`,
  inviteCreate: () => 'ms:ic',
  inviteRevokeAsk: (inviteId: string) => `ms:ir:${packUuid(inviteId)}`,
  inviteRevokeConfirm: (inviteId: string) => `ms:iy:${packUuid(inviteId)}`,
  panels: () => 'ms:pl',
  panelPause: (panelId: string) => `ms:pp:${packUuid(panelId)}`,
  panelResume: (panelId: string) => `ms:pr:${packUuid(panelId)}`,
  stats: (period: StatsPeriod) => `ms:st:${period}`,
};

function page(s: string | undefined): number | null {
  if (!s || !/^[1-9]\d{0,5}$/.test(s)) return null;
  const n = Number(s);
  return n <= MAX_PAGE ? n : null;
}

const ID_KINDS = {
  t: 'card',
  su: 'suspendAsk',
  sc: 'suspendConfirm',
  re: 'resumeAsk',
  rc: 'resumeConfirm',
  tu: 'topUpAsk',
  aj: 'adjustAsk',
  wp: 'price',
  wa: 'priceAsk',
  wc: 'priceConfirm',
  fa: 'features',
} as const;

/** The parsed callback, or null for anything that is not exactly one of ours. */
export function parseMasterCallback(data: string | undefined): MasterCallback | null {
  if (!data || data.length > 64 || !data.startsWith('ms:')) return null;
  const [, op, ...args] = data.split(':');
  const one = args.length === 1 ? args[0] : undefined;
  switch (op) {
    case 'h':
      return args.length ? null : { kind: 'home' };
    case 'x':
      return args.length ? null : { kind: 'cancel' };
    case 'tq':
      return args.length ? null : { kind: 'searchAsk' };
    case 'ic':
      return args.length ? null : { kind: 'inviteCreate' };
    case 'pl':
      return args.length ? null : { kind: 'panels' };
    case 'tl':
    case 'tf': {
      const p = page(one);
      return p ? { kind: 'tenants', page: p, search: op === 'tf' } : null;
    }
    case 'il': {
      const p = page(one);
      return p ? { kind: 'invites', page: p } : null;
    }
    case 'st':
      return one && (STATS_PERIODS as readonly string[]).includes(one)
        ? { kind: 'stats', period: one as StatsPeriod }
        : null;
    case 'ir':
    case 'iy': {
      const inviteId = one ? unpackUuid(one) : null;
      if (!inviteId) return null;
      return op === 'ir' ? { kind: 'inviteRevokeAsk', inviteId } : { kind: 'inviteRevokeConfirm', inviteId };
    }
    case 'pp':
    case 'pr': {
      const panelId = one ? unpackUuid(one) : null;
      if (!panelId) return null;
      return op === 'pp' ? { kind: 'panelPause', panelId } : { kind: 'panelResume', panelId };
    }
    case 'tc': {
      if (args.length !== 3) return null;
      const botId = unpackUuid(args[0]);
      const amount = /^[1-9]\d{0,14}$/.test(args[1]) ? Number(args[1]) : NaN;
      if (!botId || !Number.isSafeInteger(amount) || !NONCE.test(args[2])) return null;
      return { kind: 'topUpConfirm', botId, amountMinor: amount, nonce: args[2] };
    }
    case 'ay': {
      if (args.length !== 2) return null;
      const botId = unpackUuid(args[0]);
      if (!botId || !NONCE.test(args[1])) return null;
      return { kind: 'adjustConfirm', botId, nonce: args[1] };
    }
    case 'ft': {
      if (args.length !== 3) return null;
      const botId = unpackUuid(args[0]);
      if (!botId || !/^\d{1,2}$/.test(args[1]) || !/^[01]$/.test(args[2])) return null;
      return { kind: 'featureToggle', botId, index: Number(args[1]), allow: args[2] === '1' };
    }
    default: {
      if (!op || !Object.hasOwn(ID_KINDS, op)) return null;
      const botId = one ? unpackUuid(one) : null;
      return botId ? { kind: ID_KINDS[op as keyof typeof ID_KINDS], botId } : null;
    }
  }
}
