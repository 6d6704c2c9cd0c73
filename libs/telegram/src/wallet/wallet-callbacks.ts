import { packUuid, unpackUuid } from '../sales/sale-callbacks';

/**
 * Callback data of the wallet's buttons (`wt:`). It comes back from the user's client, so it is parsed
 * strictly: amounts are plain digits (the use case checks them against the tenant's limits, so a forged amount
 * is just an amount), order ids are packed UUIDs looked up inside the bot and the user (another user's order is
 * not found), gateway names are short lowercase words (≤ 12 characters) the gateway registry must know.
 */
export type WalletCallback =
  /** The wallet screen at a page of movements. */
  | { kind: 'home'; page: number }
  /** The top-up amounts. */
  | { kind: 'amounts' }
  /** "Other amount": the prompt to type one. */
  | { kind: 'typeAmount' }
  /** How to pay a top-up of `amountMinor` (for an order, or not). */
  | { kind: 'methods'; amountMinor: number; orderId: string | null }
  /** Pay the top-up card to card. */
  | { kind: 'card'; amountMinor: number; orderId: string | null }
  /** Pay the top-up through an online gateway. */
  | { kind: 'gateway'; method: string; amountMinor: number; orderId: string | null }
  /** Top up what the wallet lacks for this order. */
  | { kind: 'difference'; orderId: string }
  /** After a top-up: pay this order from the wallet now. */
  | { kind: 'payOrder'; orderId: string };

const withOrder = (orderId?: string | null) => (orderId ? `:${packUuid(orderId)}` : '');

export const WalletCallbacks = {
  home: (page = 1) => `wt:h:${page}`,
  amounts: () => 'wt:t',
  typeAmount: () => 'wt:o',
  methods: (amountMinor: number, orderId?: string | null) => `wt:m:${amountMinor}${withOrder(orderId)}`,
  card: (amountMinor: number, orderId?: string | null) => `wt:c:${amountMinor}${withOrder(orderId)}`,
  gateway: (method: string, amountMinor: number, orderId?: string | null) =>
    `wt:g:${method}:${amountMinor}${withOrder(orderId)}`,
  difference: (orderId: string) => `wt:d:${packUuid(orderId)}`,
  payOrder: (orderId: string) => `wt:p:${packUuid(orderId)}`,
};

const AMOUNT = /^[1-9]\d{0,15}$/;
const PAGE = /^[1-9]\d{0,3}$/;
const METHOD = /^[a-z][a-z0-9_]{1,11}$/;

function amountOf(s: string | undefined): number | null {
  if (!s || !AMOUNT.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** The optional order part: absent → null; present but not a packed UUID → undefined (refused). */
function orderOf(s: string | undefined): string | null | undefined {
  if (s === undefined) return null;
  return unpackUuid(s) ?? undefined;
}

export function parseWalletCallback(data: string | undefined): WalletCallback | null {
  if (!data || data.length > 64) return null;
  const [scope, kind, ...args] = data.split(':');
  if (scope !== 'wt') return null;
  switch (kind) {
    case 'h':
      return args.length === 1 && PAGE.test(args[0]) ? { kind: 'home', page: Number(args[0]) } : null;
    case 't':
      return args.length === 0 ? { kind: 'amounts' } : null;
    case 'o':
      return args.length === 0 ? { kind: 'typeAmount' } : null;
    case 'm':
    case 'c': {
      if (args.length < 1 || args.length > 2) return null;
      const amountMinor = amountOf(args[0]);
      const orderId = orderOf(args[1]);
      if (amountMinor === null || orderId === undefined) return null;
      return { kind: kind === 'm' ? 'methods' : 'card', amountMinor, orderId };
    }
    case 'g': {
      if (args.length < 2 || args.length > 3 || !METHOD.test(args[0])) return null;
      const amountMinor = amountOf(args[1]);
      const orderId = orderOf(args[2]);
      if (amountMinor === null || orderId === undefined) return null;
      return { kind: 'gateway', method: args[0], amountMinor, orderId };
    }
    case 'd':
    case 'p': {
      const orderId = args.length === 1 ? unpackUuid(args[0]) : null;
      if (!orderId) return null;
      return kind === 'd' ? { kind: 'difference', orderId } : { kind: 'payOrder', orderId };
    }
    default:
      return null;
  }
}
