import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import request from 'supertest';
import { ADMIN_ROLES, AdminRole, ConsoleLinksService, roleAllows } from '@botfleet/bots';
import { CONFIGURATION_KEYS } from '@botfleet/catalog';
import { ErrorCode } from '@botfleet/common';
import { sessionCookie, TestBot, TestContext, WorkerWorld } from '@botfleet/testing';
import { createApiApp } from '../bootstrap';
import { ANY_ADMIN, ROUTE_PERMISSIONS, routeRequirement, RouteRequirement } from './route-permissions';

jest.setTimeout(180_000);

/** An id that names nothing: a route that needs one answers 404 past the guard. */
const NOBODY = '00000000-0000-4000-8000-000000000000';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
type Method = (typeof METHODS)[number];

/** One request a session of some role makes: the route as the table names it and the path with its params. */
interface Case {
  route: string;
  method: Method;
  path: string;
  requirement: RouteRequirement;
}

/** The cookie a response set, as `name=value` for the next request's Cookie header. */
/**
 * The console's per-route policy (route-permissions.ts) as behaviour, on the real API: every route the router
 * serves under /v1/bots/:botId or /v1/sessions is called by a fresh console session of each admin role, with an
 * empty body and ids that name nothing. A role without the route's permission gets 403 FORBIDDEN; a role with
 * it gets past the guard (whatever the empty input then earns: 200, 400, 404 — never 401, 403 FORBIDDEN or a
 * 500). The cases come from the router and the table, so a new route is covered the day it is added.
 */
describe('route permissions of console sessions (API in-process, real PostgreSQL/Redis)', () => {
  let ctx: TestContext;
  let app: INestApplication;
  let world: WorkerWorld;
  let links: ConsoleLinksService;
  let bot: TestBot;
  let ip = 0;
  const people: Record<AdminRole, number> = { owner: 0, admin: 881_000_001, support: 881_000_002 };
  const http = () => request(app.getHttpServer());

  /** Every route of the router as `METHOD /path/:param`. */
  const routerRoutes = () => {
    const doc = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    return Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m): m is Method => (METHODS as readonly string[]).includes(m))
        .map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
  };
  const tenantRoutes = () => routerRoutes().filter((r) => /^\w+ \/v1\/(bots\/:botId|sessions)(\/|$)/.test(r));

  /**
   * The requests for one route: :botId is the bot, any other param an id that names nothing — or, where the
   * table's rule depends on the param (a configuration key), one value for each requirement the rule gives.
   */
  const casesOf = (route: string): Case[] => {
    const [verb, pattern] = route.split(' ');
    const others = [...pattern.matchAll(/:(\w+)/g)].map((m) => m[1]).filter((p) => p !== 'botId');
    const candidates = others.length ? [NOBODY, ...Object.keys(CONFIGURATION_KEYS)] : [NOBODY];
    const byRequirement = new Map<RouteRequirement, Case>();
    for (const value of candidates) {
      const params: Record<string, string> = { botId: bot.id, ...Object.fromEntries(others.map((p) => [p, value])) };
      const requirement = routeRequirement(verb, pattern, params);
      if (!requirement) throw new Error(`${route} is not in route-permissions.ts`);
      if (byRequirement.has(requirement)) continue;
      const path = pattern.replace(/:(\w+)/g, (_, p: string) => params[p]);
      byRequirement.set(requirement, { route, method: verb.toLowerCase() as Method, path, requirement });
    }
    return [...byRequirement.values()];
  };

  const signIn = async (role: AdminRole, of: TestBot = bot) => {
    const { code } = await links.issueForAdmin(of.id, role === 'owner' ? of.ownerTelegramId : people[role]);
    const res = await http()
      .post('/v1/sessions')
      .set('X-Forwarded-For', `10.88.${Math.floor(++ip / 250)}.${ip % 250}`)
      .send({ code });
    if (res.status !== 201) throw new Error(`${role} cannot sign in: ${res.status} ${JSON.stringify(res.body)}`);
    return { cookie: sessionCookie(res), csrf: res.body.csrfToken as string };
  };

  beforeAll(async () => {
    world = await WorkerWorld.start({ jobs: 'detached', createWorker: createApiApp });
    ({ ctx } = world);
    app = world.worker;
    links = app.get(ConsoleLinksService, { strict: false });
    bot = await ctx.newBot({ name: 'Roles shop' });
    await http()
      .put(`/v1/bots/${bot.id}/admins`)
      .set('Authorization', `Bearer ${bot.apiToken}`)
      .send({
        admins: [
          { telegramId: people.admin, role: 'admin' },
          { telegramId: people.support, role: 'support' },
        ],
      })
      .expect(200);
  });

  afterAll(() => world?.close());

  it('every /v1/bots/:botId route and every session route is in the table, and every entry is a route', () => {
    const routes = tenantRoutes();
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.filter((r) => !(r in ROUTE_PERMISSIONS))).toEqual([]);
    // Resending a customer's link needs what the bot's /admin Resend link button needs.
    expect(ROUTE_PERMISSIONS['POST /v1/bots/:botId/subscriptions/:id/resend']).toBe('users');
    // An entry the router does not serve (a typo, a route renamed) guards nothing.
    expect(Object.keys(ROUTE_PERMISSIONS).filter((r) => !routes.includes(r))).toEqual([]);
  });

  it('each role is refused exactly the routes its permissions do not cover, and passes the guard on the rest', async () => {
    const cases = tenantRoutes().flatMap(casesOf);
    // Writes that end something go last (deleting the bot itself, the shortest path, at the very end).
    cases.sort(
      (a, b) => Number(a.method === 'delete') - Number(b.method === 'delete') || b.route.length - a.route.length,
    );
    expect(cases.some((c) => c.requirement !== ANY_ADMIN)).toBe(true);
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const c of cases) {
      // The roles refused first, so the one write that succeeds (the bot's deletion) happens after them.
      const roles = [...ADMIN_ROLES].sort(
        (x, y) => Number(allowed(x, c.requirement)) - Number(allowed(y, c.requirement)),
      );
      for (const role of roles) {
        // A fresh session each time: some routes end the session that calls them.
        const s = await signIn(role).catch((e: Error) => {
          throw new Error(`${e.message}, after ${outcomes.slice(-3).join('; ')}`);
        });
        let req = http()[c.method](c.path).set('Cookie', s.cookie).set('X-CSRF-Token', s.csrf);
        if (c.method !== 'get') req = req.send({});
        const res = await req;
        const code = (res.body as { error?: { code?: string } } | undefined)?.error?.code;
        const refused = res.status === 403 && code === ErrorCode.FORBIDDEN;
        const broken = res.status === 401 || res.status >= 500;
        const label = `${role} ${c.method.toUpperCase()} ${c.path} (needs ${c.requirement})`;
        outcomes.push(`${label}: ${refused ? 'refused' : broken ? `${res.status} ${code}` : 'passed'}`);
        expected.push(`${label}: ${allowed(role, c.requirement) ? 'passed' : 'refused'}`);
      }
    }
    expect(outcomes).toEqual(expected);
    // Both sides were exercised: some role is refused somewhere, and the owner passes everywhere.
    expect(expected.some((e) => e.endsWith('refused'))).toBe(true);
  });

  it("every /v1/admin route (the operator's) refuses a session of each admin role with 403", async () => {
    const routes = routerRoutes().filter((r) => /^\w+ \/v1\/admin\//.test(r));
    expect(routes).toContain('GET /v1/admin/audit-log');
    // Restoring a deleted bot is the operator's alone, like every other route here.
    expect(routes).toContain('POST /v1/admin/bots/:botId/restore');
    // A bot of its own: the test above ends by deleting its bot.
    const shop = await ctx.newBot({ name: 'Operator routes shop' });
    await http()
      .put(`/v1/bots/${shop.id}/admins`)
      .set('Authorization', `Bearer ${shop.apiToken}`)
      .send({
        admins: [
          { telegramId: people.admin, role: 'admin' },
          { telegramId: people.support, role: 'support' },
        ],
      })
      .expect(200);
    const outcomes: string[] = [];
    for (const route of routes) {
      const [verb, pattern] = route.split(' ');
      const path = pattern.replace(/:(\w+)/g, (_, p: string) => (p === 'botId' ? shop.id : NOBODY));
      for (const role of ADMIN_ROLES) {
        const s = await signIn(role, shop);
        const method = verb.toLowerCase() as Method;
        let req = http()[method](path).set('Cookie', s.cookie).set('X-CSRF-Token', s.csrf);
        if (method !== 'get') req = req.send({});
        const res = await req;
        outcomes.push(`${role} ${route}: ${res.status} ${(res.body as { error?: { code?: string } }).error?.code}`);
      }
    }
    expect(outcomes).toEqual(
      routes.flatMap((route) => ADMIN_ROLES.map((role) => `${role} ${route}: 403 ${ErrorCode.FORBIDDEN}`)),
    );
  });
});

function allowed(role: AdminRole, requirement: RouteRequirement): boolean {
  return requirement === ANY_ADMIN || roleAllows(role, requirement);
}
