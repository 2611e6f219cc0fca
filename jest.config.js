/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // swc strips types only; `tsc --noEmit` in `npm test` does the type checking.
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  // @middy/core is ESM-only: let swc turn it into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(@middy)/)'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // The end-to-end suites start embedded servers and ingest and compact hundreds of objects on a 2-core machine.
  testTimeout: 300000,
};
