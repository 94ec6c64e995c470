import { describe, expect, it } from 'vitest';
import { createEngine, inline } from '../src/index.js';
import { batch, mlp } from './helpers.js';

describe('a learning rate the schedule gets wrong', () => {
  it('fails that step before it starts, and the engine takes the next step', async () => {
    let calls = 0;
    // NaN the first time step 1 asks, 0.1 otherwise (a schedule fixed between calls, say).
    const schedule = (s: number) => (s === 1 && calls++ === 0 ? Number.NaN : 0.1);
    const engine = await createEngine({ loss: 'crossEntropy', optimizer: { name: 'sgd', options: { lr: 0.1 } }, schedule, model: mlp(1), placement: inline() });
    try {
      const b = batch(1, 8, 20, 5);
      await engine.step(b);
      await expect(engine.step(b)).rejects.toThrow('Engine: learning rate at step 1 must be finite and ≥ 0, got NaN');
      expect(engine.stepCount).toBe(1);
      const r = await engine.step(b);
      expect([r.step, r.lr]).toEqual([1, 0.1]);
    } finally {
      await engine.close();
    }
  });
});
