import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['targets/**/*.test.ts', 'reporters/**/*.test.ts', 'scripts/**/*.test.ts', 'tests/**/*.test.ts', 'grafana/**/*.test.ts'],
    // Integration tests start real processes on fixed loopback ports: one file at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'results/vitest.json' },
  },
});
