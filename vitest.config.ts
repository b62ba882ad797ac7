import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Live view decodes a live MPEG-1 stream in Chromium; beside a parallel suite on two cores it
    // was starved of frames, so it runs on its own afterwards (vitest.live.config.ts, npm run test:live).
    exclude: ['test/bench/**', 'node_modules/**', 'test/e2e/live-view.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: run files in parallel but not so many that ffmpeg and Chromium starve each other.
    maxWorkers: 2,
    pool: 'forks',
  },
});
