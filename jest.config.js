/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking runs once in `npm run typecheck`; tests only transpile (tsconfig isolatedModules), which is fast.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // cockatiel 4 ships ES modules only. Node (20.19+, 22) loads them with require(esm); Jest's module system does so
    // only from Node 24.9, so here they are compiled to CommonJS like the sources.
    '/node_modules/cockatiel/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true, sourceMap: false } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!cockatiel/)'],
  setupFiles: ['<rootDir>/test/helpers/setup-env.ts'],
  // The privacy scan: setup empties test-logs/run.log, teardown fails the run on personal data or secrets in it.
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  // A ceiling for a test that hangs, not a speed goal: on a busy shared machine a test may take minutes.
  testTimeout: 180_000,
  maxWorkers: 2,
};
