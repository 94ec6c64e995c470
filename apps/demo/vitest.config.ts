import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@actorgrad/source'] },
  ssr: { resolve: { conditions: ['@actorgrad/source'] } },
  test: { include: ['test/**/*.test.ts'], testTimeout: 120_000, globalSetup: ['../../scripts/vitest-temp-guard.mjs'] },
});
