/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // swc strips types only; `tsc --noEmit` in `npm test` does the type checking.
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  // @middy/core and hyparquet are ESM-only: let swc turn them into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|hyparquet)/)'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // The end-to-end suites start embedded servers and ingest and compact hundreds of objects on a 2-core machine.
  testTimeout: 300000,
  // A suite that fails before it stops its servers must not keep jest alive until CI's time runs out (it did
  // once, for 90 minutes, after a failed assertion). Leaks are tested where they matter
  // (test/local/embedded-services.test.ts counts this thread's handles after stop()).
  forceExit: true,
};
