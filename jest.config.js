/**
 * Three projects, all run by `npm test`:
 *  - unit:        *.spec.ts beside the code (and test/lint, test/infra), no outside services
 *  - integration: *.int-spec.ts beside the code (and test/infra), real PostgreSQL and Redis, a fresh database per file
 *  - e2e:         test/**\/*.e2e-spec.ts, the real apps against the emulators
 */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false }, target: 'es2022', keepClassNames: true } }];
// Dependencies published only as ES modules (content-disposition 3, under @fastify/static) compiled to CommonJS for jest.
const ESM_ONLY = ['content-disposition'];
const swcEsm = ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }];
const common = {
  transform: { '^.+\\.ts$': swc, [`/node_modules/(.+/)?(${ESM_ONLY.join('|')})/.+\\.js$`]: swcEsm },
  transformIgnorePatterns: [`/node_modules/(?!(.+/node_modules/)?(${ESM_ONLY.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^@botfleet/([a-z-]+)(/.*)?$': '<rootDir>/libs/$1/src$2' },
  testEnvironment: 'node',
  rootDir: __dirname,
};
module.exports = {
  // Integration and e2e files create a database and boot apps in beforeAll; 5 s is too short on 2 cores.
  testTimeout: 120_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      // test/lint: the architecture floors of eslint.config.mjs, proven on in-memory snippets.
      // test/infra: the deployment files (compose, Kubernetes, alert rules) checked without Docker or a cluster.
      testMatch: [
        '<rootDir>/{apps,libs}/**/*.spec.ts',
        '<rootDir>/test/lint/**/*.spec.ts',
        '<rootDir>/test/infra/**/*.spec.ts',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      // test/infra: the data layer behind a real PgBouncer, the queues on a real Redis Cluster.
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts', '<rootDir>/test/infra/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.ts',
    },
  ],
};
