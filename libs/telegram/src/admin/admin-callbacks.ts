import { AUDIENCE_LANGUAGES, AUDIENCE_SEGMENTS, AudienceLanguage, AudienceSegment } from '@botfleet/broadcasts';
import { isLanguage, Language } from '@botfleet/catalog';
import { packUuid, unpackUuid } from '../sales/sale-callbacks';

/** Which shop text an admin edits. */
export type ShopTextKind = 'welcome' | 'support';
/** Where an order's refund goes: the customer's wallet, or paid back by the shop outside the bot. */
export type RefundTo = 'wallet' | 'offline';

/** A page number in callback data: 1..9999. */
const PAGE = /^[1-9]\d{0,3}$/;
/** A draft's key (AdminState): 16 base64url characters. */
const DRAFT = /^[A-Za-z0-9_-]{16}$/;
/** A price in minor units, as the plan rules allow it (1 .. 10^15). */
const PRICE = /^[1-9]\d{0,15}$/;
/** A broadcast audience's segment in callback data: one letter each. */
const SEGMENT_CODE: Record<AudienceSegment, string> = { all: 'a', active: 'c', expired: 'e', never_bought: 'n' };
const segmentOf = (code: string | undefined): AudienceSegment | undefined =>
  AUDIENCE_SEGMENTS.find((s) => SEGMENT_CODE[s] === code);
const audienceLanguageOf = (code: string | undefined): AudienceLanguage | undefined =>
  AUDIENCE_LANGUAGES.find((l) => l === code);

/**
 * The `/admin` screens' buttons (prefix `ad:`). Callback data comes back from the client, so it is input like
 * any other: parsed strictly here, every id then looked up inside this bot, and the role checked on every tap.
 */
export const AdminCallbacks = {
  home: () => 'ad:h',
  dashboard: () => 'ad:d',
  receipts: (n: number) => `ad:r:${n}`,
  receiptPhoto: (paymentId: string) => `ad:rp:${packUuid(paymentId)}`,
  approveAsk: (paymentId: string) => `ad:ra:${packUuid(paymentId)}`,
  approve: (paymentId: string) => `ad:rA:${packUuid(paymentId)}`,
  rejectAsk: (paymentId: string) => `ad:rj:${packUuid(paymentId)}`,
  reject: (paymentId: string, preset: number) => `ad:rJ:${packUuid(paymentId)}:${preset}`,
  lookup: () => 'ad:l',
  /** Another page of the last lookup's matches (the query waits in AdminState). */
  lookupPage: (page: number) => `ad:lp:${page}`,
  user: (userId: string) => `ad:u:${packUuid(userId)}`,
  blockAsk: (userId: string, blocked: boolean) => `ad:ub:${packUuid(userId)}:${blocked ? 1 : 0}`,
  block: (userId: string, blocked: boolean) => `ad:uB:${packUuid(userId)}:${blocked ? 1 : 0}`,
  adjustAsk: (userId: string) => `ad:ua:${packUuid(userId)}`,
  adjust: (draft: string) => `ad:uA:${draft}`,
  resend: (userId: string) => `ad:us:${packUuid(userId)}`,
  /** A customer's paid order: asks where its refund goes. */
  refundAsk: (orderId: string) => `ad:or:${packUuid(orderId)}`,
  refund: (orderId: string, to: RefundTo) => `ad:oR:${packUuid(orderId)}:${to === 'wallet' ? 'w' : 'o'}`,
  plans: (page: number) => `ad:p:${page}`,
  plan: (planId: string) => `ad:pv:${packUuid(planId)}`,
  planToggleAsk: (planId: string, on: boolean) => `ad:pt:${packUuid(planId)}:${on ? 1 : 0}`,
  planToggle: (planId: string, on: boolean) => `ad:pT:${packUuid(planId)}:${on ? 1 : 0}`,
  priceAsk: (planId: string) => `ad:pp:${packUuid(planId)}`,
  price: (planId: string, priceMinor: number) => `ad:pP:${packUuid(planId)}:${priceMinor}`,
  cards: (page: number) => `ad:c:${page}`,
  card: (cardId: string) => `ad:cv:${packUuid(cardId)}`,
  cardToggleAsk: (cardId: string, on: boolean) => `ad:ct:${packUuid(cardId)}:${on ? 1 : 0}`,
  cardToggle: (cardId: string, on: boolean) => `ad:cT:${packUuid(cardId)}:${on ? 1 : 0}`,
  texts: () => 'ad:t',
  textAsk: (kind: ShopTextKind, lang: Language) => `ad:te:${kind === 'welcome' ? 'w' : 's'}:${lang}`,
  textSave: (draft: string) => `ad:tS:${draft}`,
  broadcasts: () => 'ad:b',
  /** Asks for a new broadcast's message. */
  broadcastNew: () => 'ad:bn',
  /** The composed message (a draft in AdminState) to this audience: creates the broadcast. */
  broadcastAudience: (draft: string, segment: AudienceSegment) => `ad:ba:${draft}:${SEGMENT_CODE[segment]}`,
  /** The composed message's audience by language: the shop's languages, each with its size. */
  broadcastLanguages: (draft: string) => `ad:bl:${draft}`,
  /** The composed message to every customer speaking `language`: creates the broadcast. */
  broadcastLanguage: (draft: string, language: AudienceLanguage) => `ad:bL:${draft}:${language}`,
  /** Back from the languages to the audience's segments. */
  broadcastSegments: (draft: string) => `ad:bA:${draft}`,
  broadcast: (broadcastId: string) => `ad:bv:${packUuid(broadcastId)}`,
  broadcastStart: (broadcastId: string) => `ad:bs:${packUuid(broadcastId)}`,
  broadcastCancel: (broadcastId: string) => `ad:bx:${packUuid(broadcastId)}`,
  /** Page `n` of the tickets waiting for the shop (open and answered). */
  tickets: (page: number) => `ad:k:${page}`,
  ticket: (ticketId: string) => `ad:kv:${packUuid(ticketId)}`,
  /** Asks for the answer: the admin's next text message. */
  ticketAnswerAsk: (ticketId: string) => `ad:ka:${packUuid(ticketId)}`,
  ticketCloseAsk: (ticketId: string) => `ad:kc:${packUuid(ticketId)}`,
  ticketClose: (ticketId: string) => `ad:kC:${packUuid(ticketId)}`,
};

export type AdminCallback =
  | { kind: 'home' }
  | { kind: 'dashboard' }
  | { kind: 'receipts'; n: number }
  | { kind: 'receiptPhoto' | 'approveAsk' | 'approve' | 'rejectAsk'; paymentId: string }
  | { kind: 'reject'; paymentId: string; preset: number }
  | { kind: 'lookup' }
  | { kind: 'user' | 'adjustAsk' | 'resend'; userId: string }
  | { kind: 'blockAsk' | 'block'; userId: string; blocked: boolean }
  | { kind: 'refundAsk'; orderId: string }
  | { kind: 'refund'; orderId: string; to: RefundTo }
  | { kind: 'adjust' | 'textSave'; draft: string }
  | { kind: 'plans' | 'cards' | 'lookupPage'; page: number }
  | { kind: 'plan' | 'priceAsk'; planId: string }
  | { kind: 'planToggleAsk' | 'planToggle'; planId: string; on: boolean }
  | { kind: 'price'; planId: string; priceMinor: number }
  | { kind: 'card'; cardId: string }
  | { kind: 'cardToggleAsk' | 'cardToggle'; cardId: string; on: boolean }
  | { kind: 'texts' }
  | { kind: 'textAsk'; text: ShopTextKind; lang: Language }
  | { kind: 'broadcasts' | 'broadcastNew' }
  | { kind: 'broadcastAudience'; draft: string; segment: AudienceSegment }
  | { kind: 'broadcastLanguages' | 'broadcastSegments'; draft: string }
  | { kind: 'broadcastLanguage'; draft: string; language: AudienceLanguage }
  | { kind: 'broadcast' | 'broadcastStart' | 'broadcastCancel'; broadcastId: string }
  | { kind: 'tickets'; page: number }
  | { kind: 'ticket' | 'ticketAnswerAsk' | 'ticketCloseAsk' | 'ticketClose'; ticketId: string };

const flag = (v: string | undefined): boolean | null => (v === '1' ? true : v === '0' ? false : null);

/** The parsed `ad:` callback, or null for anything that is not exactly one of ours. */
export function parseAdminCallback(data: string | undefined): AdminCallback | null {
  if (!data || data.length > 64 || !data.startsWith('ad:')) return null;
  const [, kind, a, b, ...rest] = data.split(':');
  if (rest.length) return null;
  const none = a === undefined && b === undefined;
  const one = a !== undefined && b === undefined;
  const two = a !== undefined && b !== undefined;
  const id = one || two ? unpackUuid(a!) : null;
  switch (kind) {
    case 'h':
      return none ? { kind: 'home' } : null;
    case 'd':
      return none ? { kind: 'dashboard' } : null;
    case 'l':
      return none ? { kind: 'lookup' } : null;
    case 't':
      return none ? { kind: 'texts' } : null;
    case 'b':
      return none ? { kind: 'broadcasts' } : null;
    case 'bn':
      return none ? { kind: 'broadcastNew' } : null;
    case 'ba': {
      const segment = segmentOf(b);
      return two && DRAFT.test(a!) && segment ? { kind: 'broadcastAudience', draft: a!, segment } : null;
    }
    case 'bl':
    case 'bA':
      return one && DRAFT.test(a!)
        ? { kind: kind === 'bl' ? 'broadcastLanguages' : 'broadcastSegments', draft: a! }
        : null;
    case 'bL': {
      const language = audienceLanguageOf(b);
      return two && DRAFT.test(a!) && language ? { kind: 'broadcastLanguage', draft: a!, language } : null;
    }
    case 'bv':
    case 'bs':
    case 'bx': {
      if (!one || !id) return null;
      const k = { bv: 'broadcast', bs: 'broadcastStart', bx: 'broadcastCancel' } as const;
      return { kind: k[kind], broadcastId: id };
    }
    case 'r':
    case 'p':
    case 'c':
    case 'k':
    case 'lp': {
      if (!one || !PAGE.test(a!)) return null;
      const n = Number(a);
      if (kind === 'r') return { kind: 'receipts', n };
      const k = { p: 'plans', c: 'cards', k: 'tickets', lp: 'lookupPage' } as const;
      return { kind: k[kind], page: n };
    }
    case 'kv':
    case 'ka':
    case 'kc':
    case 'kC': {
      if (!one || !id) return null;
      const k = { kv: 'ticket', ka: 'ticketAnswerAsk', kc: 'ticketCloseAsk', kC: 'ticketClose' } as const;
      return { kind: k[kind], ticketId: id };
    }
    case 'rp':
    case 'ra':
    case 'rA':
    case 'rj': {
      if (!one || !id) return null;
      const k = { rp: 'receiptPhoto', ra: 'approveAsk', rA: 'approve', rj: 'rejectAsk' } as const;
      return { kind: k[kind], paymentId: id };
    }
    case 'rJ':
      return two && id && /^[0-9]$/.test(b!) ? { kind: 'reject', paymentId: id, preset: Number(b) } : null;
    case 'u':
    case 'ua':
    case 'us': {
      if (!one || !id) return null;
      const k = { u: 'user', ua: 'adjustAsk', us: 'resend' } as const;
      return { kind: k[kind], userId: id };
    }
    case 'ub':
    case 'uB': {
      const blocked = flag(b);
      if (!two || !id || blocked === null) return null;
      return { kind: kind === 'ub' ? 'blockAsk' : 'block', userId: id, blocked };
    }
    case 'or':
      return one && id ? { kind: 'refundAsk', orderId: id } : null;
    case 'oR':
      return two && id && (b === 'w' || b === 'o')
        ? { kind: 'refund', orderId: id, to: b === 'w' ? 'wallet' : 'offline' }
        : null;
    case 'uA':
    case 'tS':
      return one && DRAFT.test(a!) ? { kind: kind === 'uA' ? 'adjust' : 'textSave', draft: a! } : null;
    case 'pv':
    case 'pp':
      return one && id ? { kind: kind === 'pv' ? 'plan' : 'priceAsk', planId: id } : null;
    case 'pt':
    case 'pT': {
      const on = flag(b);
      if (!two || !id || on === null) return null;
      return { kind: kind === 'pt' ? 'planToggleAsk' : 'planToggle', planId: id, on };
    }
    case 'pP':
      return two && id && PRICE.test(b!) && Number.isSafeInteger(Number(b))
        ? { kind: 'price', planId: id, priceMinor: Number(b) }
        : null;
    case 'cv':
      return one && id ? { kind: 'card', cardId: id } : null;
    case 'ct':
    case 'cT': {
      const on = flag(b);
      if (!two || !id || on === null) return null;
      return { kind: kind === 'ct' ? 'cardToggleAsk' : 'cardToggle', cardId: id, on };
    }
    case 'te':
      if (!two || (a !== 'w' && a !== 's') || !isLanguage(b)) return null;
      return { kind: 'textAsk', text: a === 'w' ? 'welcome' : 'support', lang: b };
    default:
      return null;
  }
}
