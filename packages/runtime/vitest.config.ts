import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@actorgrad/source'] },
  ssr: { resolve: { conditions: ['@actorgrad/source'] } },
  test: {
    // Fails the run if a test leaves anything in the OS temp dir (see the script).
    globalSetup: ['../../scripts/vitest-temp-guard.mjs'],
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
