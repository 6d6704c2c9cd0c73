import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The floors of eslint.config.mjs bite: each rule reports a violating snippet in the folder it guards and
 * stays quiet on an allowed one. Snippets are linted in memory under a path in the repository, so no
 * fixture file sits in lint scope.
 */

type Code = { code: string; label: string };
type Snippet = [filePath: string, code: Code];
type FloorCases = { fires: Snippet[]; quiet: Snippet[] };

const repoRoot = join(__dirname, '../..');
const imports = (specifier: string): Code => ({
  code: `import { thing } from '${specifier}';\n\nexport const used = thing;\n`,
  label: `import '${specifier}'`,
});
const calls = (body: string): Code => ({
  code: `export async function run(m: any, tx: any, ds: any) {\n  ${body};\n}\n`,
  label: body,
});
const inClass = (body: string): Code => ({
  code: `export class S {\n  constructor(\n    private readonly repos: any,\n    private readonly db: any,\n  ) {}\n  run() {\n    ${body};\n  }\n}\n`,
  label: body,
});

const FLOORS: Record<string, FloorCases> = {
  'floors/libs-never-import-apps': {
    fires: [
      ['libs/catalog/src/x.ts', imports('../../../apps/api/src/bootstrap')],
      ['libs/telegram/src/screens/x.ts', imports('../../../../apps/worker/src/worker.module')],
      ['libs/testing/src/x.ts', imports('apps/api/src/bootstrap')],
    ],
    quiet: [
      // libs/testing has its own `apps` folder (test-env, app processes).
      ['libs/testing/src/index.ts', imports('./apps/worker-process')],
      ['test/e2e/x.e2e-spec.ts', imports('../../apps/api/src/bootstrap')],
    ],
  },
  'floors/apps-stay-apart': {
    fires: [
      ['apps/api/src/x.ts', imports('../../worker/src/worker.module')],
      ['apps/worker/src/bots/x.ts', imports('../../../api/src/bootstrap')],
      ['apps/console/src/x.ts', imports('../../api/src/bootstrap')],
    ],
    quiet: [
      ['apps/api/src/catalog/dto/x.ts', imports('../../common/validators')],
      ['apps/worker/src/x.ts', imports('./bots/bot-supervisor.service')],
    ],
  },
  'floors/console-speaks-only-http': {
    fires: [
      ['apps/console/src/pages/x.tsx', imports('@botfleet/common')],
      ['apps/console/src/x.ts', imports('node:fs')],
      ['apps/console/src/pages/reseller/x.tsx', imports('../../../../../libs/catalog/src')],
    ],
    quiet: [
      ['apps/console/src/pages/reseller/x.tsx', imports('../../api/client')],
      ['apps/console/src/x.tsx', imports('@mantine/core')],
    ],
  },
  'floors/ground-floor-imports-only-config': {
    fires: [
      ['libs/common/src/x.ts', imports('@botfleet/dal')],
      ['libs/common/src/x.ts', imports('../../secrets/src')],
      ['libs/config/src/x.ts', imports('@botfleet/common')],
      ['libs/secrets/src/x.ts', imports('@botfleet/common/errors')],
    ],
    quiet: [
      ['libs/common/src/x.ts', imports('@botfleet/config')],
      ['libs/secrets/src/x.ts', imports('../../config/src')],
      ['libs/common/src/x.spec.ts', imports('@botfleet/testing')],
    ],
  },
  'floors/bot-api-imports-only-common-and-config': {
    fires: [
      ['libs/bot-api/src/x.ts', imports('@botfleet/dal')],
      ['libs/bot-api/src/x.ts', imports('telegraf')],
    ],
    quiet: [
      ['libs/bot-api/src/x.ts', imports('@botfleet/common')],
      ['libs/bot-api/src/x.ts', imports('@botfleet/config')],
    ],
  },
  'floors/dal-imports-only-the-ground-floor': {
    fires: [
      ['libs/dal/src/x.ts', imports('@botfleet/catalog')],
      ['libs/dal/src/repositories/x.repository.ts', imports('@botfleet/jobs')],
      ['libs/dal/src/x.ts', imports('../../platform/src')],
    ],
    quiet: [
      ['libs/dal/src/x.ts', imports('@botfleet/secrets')],
      ['libs/dal/src/x.ts', imports('../../../migrations')],
      ['libs/dal/src/x.int-spec.ts', imports('@botfleet/testing')],
    ],
  },
  'floors/jobs-imports-only-dal-and-the-ground-floor': {
    fires: [['libs/jobs/src/x.ts', imports('@botfleet/sales')]],
    quiet: [['libs/jobs/src/x.ts', imports('@botfleet/dal')]],
  },
  'floors/platform-imports-only-dal-and-the-ground-floor': {
    fires: [
      ['libs/platform/src/x.ts', imports('@botfleet/catalog')],
      ['libs/platform/src/x.ts', imports('@botfleet/telegram')],
      ['libs/platform/src/x.ts', imports('@botfleet/operator')],
    ],
    quiet: [
      ['libs/platform/src/x.ts', imports('@botfleet/dal')],
      ['libs/platform/src/x.ts', imports('@botfleet/secrets')],
    ],
  },
  'floors/only-operator-and-apps-import-platform': {
    fires: [
      ['libs/telegram/src/x.ts', imports('@botfleet/platform')],
      ['libs/catalog/src/x.ts', imports('../../platform/src/platform-db')],
    ],
    quiet: [
      ['libs/operator/src/x.ts', imports('@botfleet/platform')],
      ['apps/api/src/x.ts', imports('@botfleet/platform')],
      ['apps/worker/src/x.ts', imports('@botfleet/platform')],
    ],
  },
  'floors/domain-libs-never-import-outlets-operator-or-platform': {
    fires: [
      ['libs/catalog/src/x.ts', imports('@botfleet/platform')],
      ['libs/sales/src/x.ts', imports('@botfleet/telegram')],
      ['libs/billing/src/x.ts', imports('@botfleet/operator')],
      // A library named in DOMAIN_LIBS before it exists is covered already.
      ['libs/payments/src/x.ts', imports('../../telegram/src/screens')],
      ['libs/users/src/x.ts', imports('telegraf')],
    ],
    quiet: [
      ['libs/sales/src/x.ts', imports('@botfleet/catalog')],
      ['libs/customers/src/x.ts', imports('@botfleet/billing')],
      ['libs/telegram/src/x.ts', imports('@botfleet/operator')],
    ],
  },
  'floors/operator-never-imports-telegram': {
    fires: [['libs/operator/src/x.ts', imports('@botfleet/telegram')]],
    quiet: [['libs/operator/src/x.ts', imports('@botfleet/sales')]],
  },
  'floors/api-never-loads-telegraf': {
    fires: [
      ['apps/api/src/x.ts', imports('@botfleet/telegram')],
      ['apps/api/src/x.ts', imports('telegraf')],
    ],
    quiet: [
      ['apps/api/src/x.ts', imports('@botfleet/bot-api')],
      ['apps/worker/src/x.ts', imports('@botfleet/telegram')],
    ],
  },
  'floors/testing-only-in-tests': {
    fires: [
      ['libs/sales/src/x.ts', imports('@botfleet/testing')],
      ['apps/worker/src/x.ts', imports('@botfleet/testing')],
    ],
    quiet: [
      ['libs/sales/src/x.int-spec.ts', imports('@botfleet/testing')],
      ['test/e2e/support/x.ts', imports('@botfleet/testing')],
    ],
  },
  'floors/raw-sql-only-in-dal-and-platform': {
    fires: [
      ['libs/sales/src/x.ts', calls(`await m.query('SELECT 1')`)],
      ['libs/telegram/src/x.ts', calls(`await tx.manager.query('SELECT 1')`)],
      ['libs/customers/src/x.ts', calls(`m.createQueryBuilder('u')`)],
      ['apps/api/src/health/x.ts', calls(`await ds.query('SELECT 1')`)],
    ],
    quiet: [
      ['libs/dal/src/repositories/x.repository.ts', calls(`await m.query('SELECT 1')`)],
      ['libs/platform/src/x.ts', calls(`m.createQueryBuilder('u')`)],
      ['migrations/1800000000000-x.ts', calls(`await m.query('SELECT 1')`)],
      // Tests create databases and read tables to assert.
      ['libs/sales/src/x.int-spec.ts', calls(`await m.query('SELECT 1')`)],
      ['test/e2e/x.e2e-spec.ts', calls(`await ds.query('SELECT 1')`)],
      ['libs/testing/src/x.ts', calls(`await ds.query('SELECT 1')`)],
    ],
  },
  'floors/tenant-repositories-db-stays-in-dal': {
    fires: [
      ['libs/catalog/src/x.ts', inClass(`return this.repos.db.run()`)],
      ['libs/telegram/src/x.ts', inClass(`const { db } = this.repos; return db`)],
      ['apps/api/src/x.ts', { code: `export const run = (repos: { db: unknown }) => repos.db;\n`, label: 'repos.db' }],
    ],
    quiet: [
      ['libs/dal/src/x.ts', inClass(`return this.repos.db.run()`)],
      // TenantDb injected as `db` is how a service opens a transaction.
      ['libs/catalog/src/x.ts', inClass(`return this.db.run()`)],
    ],
  },
};

type Result = { ruleIds: (string | null)[]; fatal: string[] };
const cases = Object.entries(FLOORS).flatMap(([floor, { fires, quiet }]) => [
  ...fires.map(([filePath, { code, label }]) => ({ floor, filePath, code, label, fires: true })),
  ...quiet.map(([filePath, { code, label }]) => ({ floor, filePath, code, label, fires: false })),
]);

let floorsInConfig: string[];
let results: Result[];

beforeAll(() => {
  const out = execFileSync(process.execPath, [join(__dirname, 'lint-snippets.mjs')], {
    cwd: repoRoot,
    input: JSON.stringify(cases.map(({ filePath, code }) => ({ filePath, code }))),
    encoding: 'utf8',
  });
  ({ floors: floorsInConfig, results } = JSON.parse(out) as { floors: string[]; results: Result[] });
});

it('has cases for every floor of eslint.config.mjs', () => {
  expect(Object.keys(FLOORS).sort()).toEqual([...floorsInConfig].sort());
});

describe.each(Object.keys(FLOORS))('%s', (floor) => {
  const own = cases.map((c, i) => ({ ...c, i })).filter((c) => c.floor === floor);

  it.each(own.filter((c) => c.fires).map((c) => [c.filePath, c.label, c.i] as const))(
    'reports %s: %s',
    (_file, _line, i) => {
      expect(results[i].fatal).toEqual([]);
      expect(results[i].ruleIds).toContain(floor);
    },
  );

  it.each(own.filter((c) => !c.fires).map((c) => [c.filePath, c.label, c.i] as const))(
    'allows %s: %s',
    (_file, _line, i) => {
      expect(results[i].fatal).toEqual([]);
      // No floor at all objects to an allowed snippet.
      expect(results[i].ruleIds.filter((id) => id?.startsWith('floors/'))).toEqual([]);
    },
  );
});
