// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { builtinRules } from 'eslint/use-at-your-own-risk';

/*
 * The floors of the house (STYLE.md). Every import points down:
 *
 *   apps/api  apps/worker  apps/console       outlets: HTTP, Telegram updates, queues, the browser
 *   libs/telegram                             the bot composition: handlers, screens, runtimes, messenger
 *   libs/operator                             the operator's use cases (the one library that uses platform)
 *   libs/<domain>  (DOMAIN_LIBS below)        rules, use cases and queries; no HTTP, no Telegraf
 *   libs/platform                             PlatformDb (BYPASSRLS) + cross-tenant repositories only
 *   libs/dal  libs/jobs                       entities, TenantDb, repositories; the queue kernel
 *   libs/common libs/config libs/secrets      errors, Actor, logger, Redis; config; crypto
 *   libs/bot-api                              getMe and the plain-fetch Bot API client (no Telegraf)
 *   libs/testing                              emulators and test factories (tests only)
 *
 * Each floor is one block below with its own rule id, `floors/<what it says>`. The rules are ESLint's own
 * `no-restricted-imports` and `no-restricted-syntax` registered under those names: flat config keeps only
 * the last options of one rule id for a file, so separate ids let the floors add up, and a report names the
 * floor it breaks. An import is matched by alias (`@botfleet/x`), by relative path (`../../x/src/…`) and by
 * baseUrl path (`libs/x/src/…`, `apps/x/src/…`). The floors that list what a library may import also let its
 * tests import `@botfleet/testing`; `floors/testing-only-in-tests` keeps that library out of production code.
 */

const APPS = ['api', 'worker', 'console'];

/** Domain libraries. A new one is one line here; every floor below then covers it. */
const DOMAIN_LIBS = [
  'audit',
  'billing',
  'bots',
  'catalog',
  'customers',
  'growth',
  'messaging',
  'payments',
  'promotions',
  'provisioning',
  'sales',
  'users',
];

/** Test code: may use `@botfleet/testing`, and may read the database to assert (see the raw SQL floor). */
const TEST_FILES = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'libs/testing/**/*.ts'];

/** One of these names. */
const anyOf = (names) => `(?:${names.join('|')})`;
/** Any library name but these. */
const anyBut = (names) => `(?!${anyOf(names)}(?![\\w-]))[\\w-]+`;
/** An import of our libraries named by `name` (a regex fragment). */
const libs = (name) => `^(?:@botfleet/${name}|(?:\\.{1,2}/)*(?:libs/)?${name}/src)(?:/.*)?$`;
/** An import of our apps named by `name` (apps have no alias). */
const apps = (name) => `^(?:\\.{1,2}/)*(?:apps/)?${name}/src(?:/.*)?$`;
/** Telegraf and its subpaths. */
const TELEGRAF = '^telegraf(?:/.*)?$';

/** `no-restricted-imports` options from [regex, message] pairs. */
const forbid = (...entries) => ['error', { patterns: entries.map(([regex, message]) => ({ regex, message })) }];
/** `no-restricted-syntax` options from [selector, message] pairs. */
const forbidSyntax = (...entries) => ['error', ...entries.map(([selector, message]) => ({ selector, message }))];

const importFloors = [
  'libs-never-import-apps',
  'apps-stay-apart',
  'ground-floor-imports-only-config',
  'bot-api-imports-only-common-and-config',
  'dal-imports-only-the-ground-floor',
  'jobs-imports-only-dal-and-the-ground-floor',
  'platform-imports-only-dal-and-the-ground-floor',
  'domain-libs-never-import-outlets-operator-or-platform',
  'operator-never-imports-telegram',
  'api-never-loads-telegraf',
  'console-speaks-only-http',
  'only-operator-and-apps-import-platform',
  'testing-only-in-tests',
];
const syntaxFloors = ['raw-sql-only-in-dal-and-platform', 'tenant-repositories-db-stays-in-dal'];
const floorsPlugin = {
  meta: { name: 'floors' },
  rules: Object.fromEntries([
    ...importFloors.map((id) => [id, builtinRules.get('no-restricted-imports')]),
    ...syntaxFloors.map((id) => [id, builtinRules.get('no-restricted-syntax')]),
  ]),
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'bench/**',
      '**/*.js',
      '**/*.mjs',
      // Generated from the API's OpenAPI document (npm run console:schema).
      'apps/console/src/api/schema.d.ts',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    name: 'general',
    plugins: { floors: floorsPlugin },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },

  // ── Apps and libraries ────────────────────────────────────────────────────────────────────────────────
  {
    name: 'floors/libs-never-import-apps',
    files: ['libs/**/*.ts'],
    rules: {
      'floors/libs-never-import-apps': forbid([
        apps(anyOf(APPS)),
        'A library never imports an app. Move what it needs out of apps/ into the library that owns it; apps stay thin outlets.',
      ]),
    },
  },
  ...APPS.map((app) => ({
    name: `floors/apps-stay-apart (${app})`,
    files: [`apps/${app}/**/*.ts`, `apps/${app}/**/*.tsx`],
    rules: {
      'floors/apps-stay-apart': forbid([
        apps(anyOf(APPS.filter((other) => other !== app))),
        'Apps never import each other. What two apps share goes into a library: a rule into its domain library, bot composition into libs/telegram, operator use cases into libs/operator.',
      ]),
    },
  })),

  // ── The ground floor: common, config, secrets, bot-api ────────────────────────────────────────────────
  {
    name: 'floors/ground-floor-imports-only-config',
    files: ['libs/common/**/*.ts', 'libs/config/**/*.ts', 'libs/secrets/**/*.ts'],
    rules: {
      'floors/ground-floor-imports-only-config': forbid([
        libs(anyBut(['config', 'testing'])),
        'libs/common, libs/config and libs/secrets are the ground floor: they import only @botfleet/config. Code that needs more of ours belongs on the floor of what it needs (libs/dal, a domain library).',
      ]),
    },
  },
  {
    name: 'floors/bot-api-imports-only-common-and-config',
    files: ['libs/bot-api/**/*.ts'],
    rules: {
      'floors/bot-api-imports-only-common-and-config': forbid(
        [
          libs(anyBut(['common', 'config', 'testing'])),
          'libs/bot-api is the plain Bot API client (getMe, webhooks): it imports only @botfleet/common and @botfleet/config. Code that needs more belongs in the library that calls it.',
        ],
        [
          TELEGRAF,
          'libs/bot-api talks to the Bot API with fetch and never loads Telegraf; Telegraf code belongs in libs/telegram.',
        ],
      ),
    },
  },

  // ── dal and jobs ──────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'floors/dal-imports-only-the-ground-floor',
    files: ['libs/dal/**/*.ts'],
    rules: {
      'floors/dal-imports-only-the-ground-floor': forbid([
        libs(anyBut(['common', 'config', 'secrets', 'testing'])),
        'libs/dal (entities, TenantDb, repositories) imports only @botfleet/common, @botfleet/config and @botfleet/secrets. Logic that needs a domain library belongs in that library, calling a named repository of libs/dal.',
      ]),
    },
  },
  {
    name: 'floors/jobs-imports-only-dal-and-the-ground-floor',
    files: ['libs/jobs/**/*.ts'],
    rules: {
      'floors/jobs-imports-only-dal-and-the-ground-floor': forbid([
        libs(anyBut(['common', 'config', 'secrets', 'dal', 'testing'])),
        'libs/jobs (queue and job names, payloads, the outbox, the runner) imports only @botfleet/dal, common, config and secrets. A job handler belongs in the library that owns the work, or in the worker.',
      ]),
    },
  },

  // ── platform: the cross-tenant (BYPASSRLS) path ───────────────────────────────────────────────────────
  {
    name: 'floors/platform-imports-only-dal-and-the-ground-floor',
    files: ['libs/platform/**/*.ts'],
    rules: {
      'floors/platform-imports-only-dal-and-the-ground-floor': forbid([
        libs(anyBut(['dal', 'secrets', 'config', 'common', 'testing'])),
        'libs/platform is PlatformDb and the cross-tenant repositories only: it imports only @botfleet/dal, secrets, config and common. A use case that needs more is an operator use case in libs/operator.',
      ]),
    },
  },
  {
    name: 'floors/only-operator-and-apps-import-platform',
    files: ['libs/**/*.ts'],
    // libs/testing is exempt: test factories and assertions may use the BYPASSRLS pool.
    ignores: ['libs/operator/**', 'libs/platform/**', 'libs/testing/**'],
    rules: {
      'floors/only-operator-and-apps-import-platform': forbid([
        libs('platform'),
        'Only libs/operator and the apps import @botfleet/platform (the BYPASSRLS path). Tenant work goes through TenantDb and the libs/dal repositories; cross-tenant work is an operator use case in libs/operator.',
      ]),
    },
  },

  // ── Domain libraries and the operator library ─────────────────────────────────────────────────────────
  {
    name: 'floors/domain-libs-never-import-outlets-operator-or-platform',
    files: DOMAIN_LIBS.map((lib) => `libs/${lib}/**/*.ts`),
    rules: {
      'floors/domain-libs-never-import-outlets-operator-or-platform': forbid(
        [
          libs(anyOf(['telegram', 'operator', 'platform'])),
          'Domain libraries never import @botfleet/telegram, @botfleet/operator or @botfleet/platform. Keep the rule here and let the outlet call it: bot screens in libs/telegram, operator use cases in libs/operator, cross-tenant reads in a libs/platform repository called from libs/operator.',
        ],
        [
          TELEGRAF,
          'Domain libraries have no Telegraf: bot screens and sends belong in libs/telegram, which calls this library.',
        ],
      ),
    },
  },
  {
    name: 'floors/operator-never-imports-telegram',
    files: ['libs/operator/**/*.ts'],
    rules: {
      'floors/operator-never-imports-telegram': forbid([
        libs('telegram'),
        'libs/operator sits below the bot composition and never imports @botfleet/telegram; let libs/telegram call the operator use case instead.',
      ]),
    },
  },

  {
    name: 'floors/api-never-loads-telegraf',
    files: ['apps/api/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      'floors/api-never-loads-telegraf': forbid(
        [
          libs('telegram'),
          'The API only receives webhook updates and queues them; it never loads the bot composition. What it needs of the Bot API (getMe, webhook secrets, chat order) is in @botfleet/bot-api.',
        ],
        [TELEGRAF, 'The API never loads Telegraf; use @botfleet/bot-api for what it needs of the Bot API.'],
      ),
    },
  },

  // ── The browser ──────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'floors/console-speaks-only-http',
    files: ['apps/console/**/*.ts', 'apps/console/**/*.tsx'],
    rules: {
      'floors/console-speaks-only-http': forbid(
        [
          '^@botfleet/.*$',
          'The console runs in the browser and knows the API only through HTTP: use the typed client (apps/console/src/api), whose types come from the OpenAPI document.',
        ],
        [
          '^(?:node:)?(?:fs|path|crypto|child_process|net|http|https|os)(?:/.*)?$',
          'The console runs in the browser: no Node.js modules.',
        ],
        [
          '^(?:\\.{1,2}/)+(?:.*/)?(?:libs|apps)/.*$',
          'The console never imports server code; it reaches the API over HTTP.',
        ],
      ),
    },
  },

  {
    // tsconfig has the DOM types for the browser tests (page.evaluate); server code still runs in Node.
    name: 'server-code-has-no-browser-globals',
    files: ['apps/api/**/*.ts', 'apps/worker/**/*.ts', 'libs/**/*.ts', 'migrations/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'localStorage', 'sessionStorage', 'location', 'getComputedStyle'].map((name) => ({
          name,
          message: 'Server code runs in Node.js: no browser globals.',
        })),
      ],
    },
  },

  // ── Test support ──────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'floors/testing-only-in-tests',
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      'floors/testing-only-in-tests': forbid([
        libs('testing'),
        '@botfleet/testing (emulators, test databases, factories) is for tests only; production code never imports it.',
      ]),
    },
  },

  // ── SQL has one home ──────────────────────────────────────────────────────────────────────────────────
  {
    name: 'floors/raw-sql-only-in-dal-and-platform',
    files: ['**/*.ts'],
    // Exempt: migrations (schema DDL, run by libs/dal), and tests and libs/testing, which create databases
    // and read tables to assert (e2e suites arrange through the API and the emulators, not through SQL).
    ignores: ['libs/dal/**', 'libs/platform/**', 'migrations/**', ...TEST_FILES],
    rules: {
      'floors/raw-sql-only-in-dal-and-platform': forbidSyntax(
        [
          "CallExpression[callee.property.name='query']",
          'Raw SQL lives only in libs/dal (tenant path) and libs/platform (cross-tenant path). Add a named method to a repository in libs/dal/src/repositories (or libs/platform) and call it.',
        ],
        [
          "CallExpression[callee.property.name='createQueryBuilder']",
          'Query builders live only in libs/dal (tenant path) and libs/platform (cross-tenant path). Add a named method to a repository in libs/dal/src/repositories (or libs/platform) and call it.',
        ],
      ),
    },
  },
  {
    name: 'floors/tenant-repositories-db-stays-in-dal',
    files: ['**/*.ts'],
    ignores: ['libs/dal/**'],
    rules: {
      'floors/tenant-repositories-db-stays-in-dal': forbidSyntax(
        ...[
          "MemberExpression[property.name='db'][object.property.name=/[rR]epos(itories)?$/]",
          "MemberExpression[property.name='db'][object.name=/[rR]epos(itories)?$/]",
          "VariableDeclarator[init.property.name=/[rR]epos(itories)?$/] > ObjectPattern > Property[key.name='db']",
          "VariableDeclarator[init.name=/[rR]epos(itories)?$/] > ObjectPattern > Property[key.name='db']",
        ].map((selector) => [
          selector,
          'TenantRepositories.db is private to libs/dal. Call a named repository method (libs/dal/src/repositories), or inject TenantDb for a transaction.',
        ]),
      ),
    },
  },

  // ── Tests ─────────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'tests',
    files: TEST_FILES,
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
