/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // jose is ESM-only; jest on Node 20 cannot require ESM, so it is compiled like our own code.
  transformIgnorePatterns: ['/node_modules/(?!(jose|puppeteer-core|@puppeteer/browsers|chromium-bidi|webdriver-bidi-protocol|typed-query-selector|mitt)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/setup-file.ts'],
  // Temporal servers and bundling take seconds; a generous per-test ceiling, never a wait.
  testTimeout: 120_000,
  // Each file starts its own Temporal server; two at a time fits the 2-core machines.
  maxWorkers: 2,
};
