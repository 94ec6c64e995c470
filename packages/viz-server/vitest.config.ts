import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@actorgrad/source'] },
  ssr: { resolve: { conditions: ['@actorgrad/source'] } },
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 60_000 },
});
