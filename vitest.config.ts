import { defineConfig } from 'vitest/config';

// One runner for every package. Browser tests (console/e2e) and process tests take longer and
// run in forks so a crashed child cannot take the runner down.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'spec/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
