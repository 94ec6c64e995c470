import { describe, expect, it } from 'vitest';
import { chunkLayout, rechunk } from '../src/main/chunks.js';
import { CHUNK, createEngine, dataParallel } from '../src/index.js';
import { LEGACY_CHUNK } from '../src/main/engine.js';
import { batch, mlp, paramBytes } from './helpers.js';

const opts = { loss: 'crossEntropy' as const, optimizer: { name: 'adam', options: { lr: 1e-2 } }, seed: 2 };

describe('optimiser states saved with another chunk size', () => {
  it('states of 65 536-element chunks (older checkpoints) load re-chunked, and training continues bit for bit', async () => {
    // A 132 000-element weight: 3 chunks of the old size, 9 of the new.
    const sizes = [20, 6600, 5];
    const model = mlp(6, sizes, 0);
    const copy = mlp(6, sizes, 0);
    const a = await createEngine({ ...opts, model, placement: dataParallel({ replicas: 2, threads: 2 }) });
    const b = await createEngine({ ...opts, model: copy, placement: dataParallel({ replicas: 2, threads: 2 }) });
    try {
      for (let s = 0; s < 2; s++) await a.step(batch(s, 8, 20, 5));
      // What an older checkpoint holds: the same states, cut at 65 536.
      const layers = model.layers.map((l) => l.namedParameters().map(([, p]) => p.size));
      const legacy = rechunk(a.optimizerStates, chunkLayout(layers, CHUNK), chunkLayout(layers, LEGACY_CHUNK));
      expect(legacy.length).toBeLessThan(a.optimizerStates.length);
      copy.loadStateDict(Object.fromEntries(model.namedParameters().map(([k, p]) => [k, p])));
      b.loadOptimizerStates(legacy, LEGACY_CHUNK);
      b.stepCount = a.stepCount;
      for (let s = 2; s < 5; s++) {
        await a.step(batch(s, 8, 20, 5));
        await b.step(batch(s, 8, 20, 5));
      }
      expect(paramBytes(copy).equals(paramBytes(model))).toBe(true);
      expect(() => b.loadOptimizerStates(legacy.slice(1), LEGACY_CHUNK)).toThrow(/expected 6 optimiser chunk states \(chunks of 65536\), got 5/);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
