import { defineConfig } from 'vitest/config';

// The live-view e2e alone: see the note in vitest.config.ts.
export default defineConfig({
  test: {
    include: ['test/e2e/live-view.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
