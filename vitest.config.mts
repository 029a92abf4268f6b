import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One process per test file: the addon keeps process-wide state (thread budget, job counters).
    pool: 'forks',
    // One file at a time: the timing tests (abort latency, event-loop gaps) and the 1e8-element arrays
    // must not compete with another file for this machine's few cores.
    fileParallelism: false,
    testTimeout: 20_000,
  },
});
