import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@actorgrad/source'] },
  ssr: { resolve: { conditions: ['@actorgrad/source'] } },
  // The daemon tests start processes and time kills: one file at a time.
  test: { include: ['test/**/*.test.ts'], testTimeout: 120_000, fileParallelism: false, globalSetup: ['../../scripts/vitest-temp-guard.mjs'] },
});
