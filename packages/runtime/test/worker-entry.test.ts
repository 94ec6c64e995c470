import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEngine, dataParallel } from '../src/index.js';
import { batch, mlp, paramBytes } from './helpers.js';

/** Three steps on a pool; the parameters' bytes and the module each thread runs. */
async function train(): Promise<{ bytes: Buffer; entries: string[] }> {
  const model = mlp(5);
  const engine = await createEngine({ model, loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 1e-2 } }, placement: dataParallel({ replicas: 2, threads: 2 }), seed: 3 });
  try {
    for (let s = 0; s < 3; s++) await engine.step(batch(20 + s, 32, 20, 5));
    return { bytes: paramBytes(model), entries: (await engine.workerInfo()).map((w) => w.entry) };
  } finally {
    await engine.close();
  }
}

describe('the pool threads from the TypeScript sources', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('run the worker entry bundled by esbuild into the package cache, with the bits of the sources loaded through tsx', async () => {
    const bundled = await train();
    expect(bundled.entries).toHaveLength(2);
    for (const e of bundled.entries) {
      expect(e).toMatch(/\/node_modules\/\.cache\/actorgrad\/worker-[0-9a-f]{16}\.mjs$/);
      expect(existsSync(fileURLToPath(e))).toBe(true);
    }
    vi.stubEnv('ACTORGRAD_WORKER_TSX', '1');
    const throughTsx = await train();
    expect(throughTsx.entries.every((e) => e.endsWith('/src/worker/control.ts'))).toBe(true);
    expect(throughTsx.bytes.equals(bundled.bytes)).toBe(true);
    expect(bundled.bytes.equals(paramBytes(mlp(5)))).toBe(false);
  });
});
