import { kernels } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { type Placement, createEngine, dataParallel, inline, pipeline } from '../src/index.js';
import { batch, mlp, paramBytes } from './helpers.js';

const SHARDS = 4;
async function train(placement: Placement): Promise<Buffer> {
  const model = mlp(7);
  const engine = await createEngine({ model, loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 1e-2 } }, placement, seed: 42 });
  try {
    for (let s = 0; s < 5; s++) await engine.step(batch(100 + s, 32, 20, 5));
  } finally {
    await engine.close();
  }
  return paramBytes(model);
}

describe('determinism across placements (3-layer MLP with dropout, 5 Adam steps, 4 shards)', () => {
  it('inline, dataParallel at 1, 2 and 4 threads, and pipeline give bit-identical parameters', async () => {
    const ref = await train(inline({ shards: SHARDS }));
    const untrained = paramBytes(mlp(7));
    expect(ref.equals(untrained)).toBe(false);
    const runs: [string, Placement][] = [
      ['dataParallel x1', dataParallel({ replicas: 1, shards: SHARDS, threads: 1 })],
      ['dataParallel x2', dataParallel({ replicas: 2, shards: SHARDS, threads: 2 })],
      ['dataParallel x4', dataParallel({ replicas: 4, shards: SHARDS, threads: 4 })],
      ['pipeline', pipeline({ microBatches: SHARDS, threads: 2 })],
    ];
    for (const [name, p] of runs) {
      const got = await train(p);
      expect(got.equals(ref), name).toBe(true);
    }
  });

  it('a different shard count changes the dropout masks, hence the result', async () => {
    expect((await train(inline({ shards: 2 }))).equals(await train(inline({ shards: SHARDS })))).toBe(false);
  });
});

describe('determinism with the fast GEMM kernel (float32 accumulation), chosen on the main thread', () => {
  it("the pool threads run the main thread's kernel: inline and 1, 2 threads bit-identical, and not the exact kernel's bits", async () => {
    const prev = kernels.useGemmKernel('wasm');
    try {
      const exact = await train(inline({ shards: SHARDS }));
      kernels.useGemmKernel('fast');
      const ref = await train(inline({ shards: SHARDS }));
      expect(ref.equals(exact)).toBe(false);
      for (const [name, p] of [
        ['dataParallel x1', dataParallel({ replicas: 1, shards: SHARDS, threads: 1 })],
        ['dataParallel x2', dataParallel({ replicas: 2, shards: SHARDS, threads: 2 })],
        ['pipeline', pipeline({ microBatches: SHARDS, threads: 2 })],
      ] as [string, Placement][]) {
        expect((await train(p)).equals(ref), name).toBe(true);
      }
      const engine = await createEngine({ model: mlp(7), loss: 'crossEntropy', optimizer: { name: 'sgd', options: { lr: 0.1 } }, placement: dataParallel({ replicas: 2, threads: 2 }) });
      try {
        await engine.step(batch(1, 8, 20, 5));
        const info = await engine.workerInfo();
        expect(info.map((w) => w.kernels.kernel)).toEqual(['fast', 'fast']);
      } finally {
        await engine.close();
      }
    } finally {
      kernels.useGemmKernel(prev);
    }
  });
});
