/** Unit tests (pure code) and integration tests (real ZooKeeper) share one runner. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 30000,
  // Not under the temporary directory: test/run-all.sh gives each run its own, removed afterwards.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
};
