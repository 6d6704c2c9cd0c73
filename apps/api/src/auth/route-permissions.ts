import type { AdminPermission } from '@botfleet/bots';

/** Any admin of the bot may call it (reading the bot itself, one's own sessions). */
export const ANY_ADMIN = 'any-admin' as const;
export type RouteRequirement = AdminPermission | typeof ANY_ADMIN;
type RouteRule = RouteRequirement | ((params: Record<string, string | undefined>) => RouteRequirement);

const B = '/v1/bots/:botId';
/** The shop's texts are `texts` (admins edit them); every other configuration key is the owner's `settings`. */
const configurationKey = (p: Record<string, string | undefined>): RouteRequirement =>
  p.key === 'welcome_text' || p.key === 'support_text' ? 'texts' : 'settings';

/**
 * What a web console session of a bot admin needs for each route, by `METHOD /route/pattern` (the roles are in
 * libs/bots/src/admins/admin-roles.ts: support reads customers and handles tickets; admin has all but wallet,
 * admins and settings; owner has all). One table rather than a decorator per handler so that it reads as one
 * policy; a route missing here is refused to such sessions (403) and fails route-permissions.int-spec. API
 * tokens, pasted-token sessions and the master are not limited by it. The use cases check the role again in
 * the domain (the session acts as Actors.botAdmin).
 */
export const ROUTE_PERMISSIONS: Readonly<Record<string, RouteRule>> = {
  // the console's own sign-in
  'POST /v1/sessions': ANY_ADMIN, // public: signing in
  'GET /v1/sessions': ANY_ADMIN,
  'GET /v1/sessions/current': ANY_ADMIN,
  'GET /v1/sessions/:id': ANY_ADMIN,
  'DELETE /v1/sessions/current': ANY_ADMIN,
  'DELETE /v1/sessions/:id': ANY_ADMIN,
  // the bot
  [`GET ${B}`]: ANY_ADMIN,
  [`PATCH ${B}`]: 'settings',
  [`PUT ${B}/telegram-token`]: 'settings',
  [`POST ${B}/api-token/rotate`]: 'settings',
  [`DELETE ${B}`]: 'settings',
  [`GET ${B}/admins`]: 'admins',
  [`PUT ${B}/admins`]: 'admins',
  [`GET ${B}/wallet`]: 'wallet',
  [`GET ${B}/wallet/ledger`]: 'wallet',
  [`GET ${B}/stats`]: 'dashboard',
  [`GET ${B}/audit-log`]: 'settings',
  // features and configuration
  [`GET ${B}/features`]: 'settings',
  [`PUT ${B}/features/:key`]: 'settings',
  [`GET ${B}/configurations`]: 'texts',
  [`PUT ${B}/configurations/:key`]: configurationKey,
  [`DELETE ${B}/configurations/:key`]: configurationKey,
  [`PUT ${B}/configurations/:key/translations/:lang`]: configurationKey,
  [`DELETE ${B}/configurations/:key/translations/:lang`]: configurationKey,
  // catalogue
  [`GET ${B}/plans`]: 'plans',
  [`POST ${B}/plans`]: 'plans',
  [`PATCH ${B}/plans/:planId`]: 'plans',
  [`DELETE ${B}/plans/:planId`]: 'plans',
  [`GET ${B}/panels`]: 'plans',
  [`GET ${B}/payment-cards`]: 'cards',
  [`POST ${B}/payment-cards`]: 'cards',
  [`GET ${B}/payment-cards/next`]: 'cards',
  [`GET ${B}/payment-cards/:cardId`]: 'cards',
  [`PATCH ${B}/payment-cards/:cardId`]: 'cards',
  [`DELETE ${B}/payment-cards/:cardId`]: 'cards',
  [`GET ${B}/promo-codes`]: 'plans',
  [`POST ${B}/promo-codes`]: 'plans',
  [`GET ${B}/promo-codes/:id`]: 'plans',
  [`PATCH ${B}/promo-codes/:id`]: 'plans',
  [`DELETE ${B}/promo-codes/:id`]: 'plans',
  // customers: reading is `lookup`, acting on one is `users`, money by hand is `wallet`
  [`GET ${B}/users`]: 'lookup',
  [`GET ${B}/users/:userId`]: 'lookup',
  [`PATCH ${B}/users/:userId`]: 'users',
  [`POST ${B}/users/:userId/balance-adjustments`]: 'wallet',
  [`GET ${B}/users/:userId/wallet`]: 'lookup',
  [`GET ${B}/users/:userId/payments`]: 'lookup',
  [`GET ${B}/users/:userId/top-ups`]: 'lookup',
  [`GET ${B}/users/:userId/referrals`]: 'lookup',
  [`GET ${B}/subscriptions`]: 'lookup',
  [`GET ${B}/orders`]: 'lookup',
  [`GET ${B}/payments`]: 'lookup',
  [`GET ${B}/payments/:id`]: 'lookup',
  [`GET ${B}/referral-earnings`]: 'dashboard',
  // receipts and refunds
  [`GET ${B}/card-payments`]: 'receipts',
  [`GET ${B}/card-payments/:id`]: 'receipts',
  [`GET ${B}/card-payments/:id/photo-url`]: 'receipts',
  [`POST ${B}/card-payments/:id/approve`]: 'receipts',
  [`POST ${B}/card-payments/:id/reject`]: 'receipts',
  [`POST ${B}/payments/:id/refund`]: 'wallet',
  [`POST ${B}/stars-payments/:id/refund`]: 'wallet',
  // taking back a sale the shop approved (a receipt approved by mistake): as approving it, owner and admins
  [`POST ${B}/orders/:id/refund`]: 'receipts',
  [`POST ${B}/subscriptions/:id/disable`]: 'users',
  [`POST ${B}/subscriptions/:id/resend`]: 'users', // as the bot's /admin Resend link button
  // support and broadcasts
  [`GET ${B}/tickets`]: 'tickets',
  [`POST ${B}/tickets`]: 'tickets',
  [`GET ${B}/tickets/:id`]: 'tickets',
  [`GET ${B}/tickets/:id/messages`]: 'tickets',
  [`POST ${B}/tickets/:id/messages`]: 'tickets',
  [`POST ${B}/tickets/:id/close`]: 'tickets',
  [`GET ${B}/broadcasts`]: 'broadcasts',
  [`POST ${B}/broadcasts`]: 'broadcasts',
  [`GET ${B}/broadcasts/:id`]: 'broadcasts',
  [`PATCH ${B}/broadcasts/:id`]: 'broadcasts',
  [`POST ${B}/broadcasts/:id/photo`]: 'broadcasts',
  [`POST ${B}/broadcasts/:id/start`]: 'broadcasts',
  [`POST ${B}/broadcasts/:id/cancel`]: 'broadcasts',
};

/** HEAD is answered by the GET route. */
const methodOf = (method: string) => (method === 'HEAD' ? 'GET' : method);

/** What a bot admin's session needs for this route; undefined when the route is not open to such sessions. */
export function routeRequirement(
  method: string,
  routePattern: string | undefined,
  params: Record<string, string | undefined>,
): RouteRequirement | undefined {
  if (!routePattern) return undefined;
  const rule = ROUTE_PERMISSIONS[`${methodOf(method)} ${routePattern.replace(/\/+$/, '')}`];
  return typeof rule === 'function' ? rule(params) : rule;
}
