import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here and in CI: integration tests spawn the CLI and a server each.
    maxWorkers: 2,
    reporters: ['default', './tests/plain-summary-reporter.ts'],
  },
});
