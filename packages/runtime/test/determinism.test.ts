import { kernels } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { type Placement, createEngine, dataParallel, inline, pipeline } from '../src/index.js';
import { batch, mlp, paramBytes } from './helpers.js';

const SHARDS = 4;
async function train(placement: Placement, heapBytes?: number): Promise<Buffer> {
  const model = mlp(7);
  const engine = await createEngine({ model, loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 1e-2 } }, placement, seed: 42, ...(heapBytes === undefined ? {} : { heapBytes }) });
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

describe("a pool's kernel is the one it was made with", () => {
  it("a main thread that chooses another kernel afterwards changes no bits (the step's buffers follow the pool's kernel)", async () => {
    const prev = kernels.gemmKernel();
    const placement = () => dataParallel({ replicas: 2, shards: SHARDS, threads: 2 });
    try {
      kernels.useGemmKernel('wasm');
      const ref = await train(placement());
      const model = mlp(7);
      const engine = await createEngine({ model, loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 1e-2 } }, placement: placement(), seed: 42 });
      kernels.useGemmKernel('fast');
      try {
        for (let s = 0; s < 5; s++) await engine.step(batch(100 + s, 32, 20, 5));
      } finally {
        await engine.close();
      }
      expect(paramBytes(model).equals(ref)).toBe(true);
    } finally {
      kernels.useGemmKernel(prev);
    }
  });
});

describe('determinism when the first layer has one output (its weight gradient a vector·matrix product)', () => {
  // gemm computes such a product unpacked (in float64 even on the fast kernel): its column blocks
  // (the replicas' shared weight gradient) would not give its bits, so it is not shared.
  it('inline and dataParallel(2) give bit-identical parameters on every kernel', async () => {
    const prev = kernels.gemmKernel();
    const run = async (placement: Placement) => {
      const model = mlp(3, [60, 1, 3], 0);
      const engine = await createEngine({ model, loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 1e-2 } }, placement, seed: 1 });
      try {
        for (let s = 0; s < 3; s++) await engine.step(batch(10 + s, 256, 60, 3));
      } finally {
        await engine.close();
      }
      return paramBytes(model);
    };
    try {
      for (const k of ['fast', 'wasm', 'js'] as const) {
        kernels.useGemmKernel(k);
        const ref = await run(inline({ shards: 2 }));
        expect((await run(dataParallel({ replicas: 2, shards: 2, threads: 2 }))).equals(ref), k).toBe(true);
      }
    } finally {
      kernels.useGemmKernel(prev);
    }
  });
});

describe("the engine's WebAssembly heap full (heapBytes): what does not fit lives in plain shared memory", () => {
  // 0: no heap; 64 KiB: the persistent arena fits, the 8 MiB step arena, optimiser slabs and every
  // thread's staging regions do not; 16 MiB: everything fits. All give the same bits, also on the
  // pool's threads, which adopt the small heap and find it full.
  it('trains with the same bits for heaps of 0, 64 KiB and 16 MiB, inline and dataParallel(2)', async () => {
    const ref = await train(inline({ shards: SHARDS }));
    for (const heapBytes of [0, 64 << 10, 16 << 20]) {
      expect((await train(inline({ shards: SHARDS }), heapBytes)).equals(ref), `inline, heapBytes ${heapBytes}`).toBe(true);
      expect((await train(dataParallel({ replicas: 2, shards: SHARDS, threads: 2 }), heapBytes)).equals(ref), `dataParallel(2), heapBytes ${heapBytes}`).toBe(true);
    }
  });

  it('names a bad heapBytes', async () => {
    const opts = { model: mlp(7), loss: 'crossEntropy', optimizer: { name: 'adam', options: {} } } as const;
    await expect(createEngine({ ...opts, heapBytes: -1 })).rejects.toThrow(`Engine: options.heapBytes must be an integer from 0 to ${kernels.WasmHeap.MAX_BYTES}, got -1`);
    await expect(createEngine({ ...opts, heapBytes: 2 ** 32 })).rejects.toThrow(`Engine: options.heapBytes must be an integer from 0 to ${kernels.WasmHeap.MAX_BYTES}, got 4294967296`);
  });
});
