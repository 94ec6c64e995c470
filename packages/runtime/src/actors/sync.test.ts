import { Rng, randn } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { CLAIM, SYNC, syncCtlSize, type SharedGemm, type StepSync } from '../protocol.js';
import { sharedArray } from '../arena.js';
import { linearBackward } from './linear.js';
import { SyncAbort, abortStep, arriveAndWait, blockEdge, claimEach, decideStep, sharedWeightGradient, takeBlock } from './sync.js';

function stepSync(parties: number, shards: number, timeoutMs = 2_000): StepSync {
  return {
    ctl: sharedArray(Int32Array, syncCtlSize(parties)),
    parties,
    sq: sharedArray(Float64Array, 3),
    losses: sharedArray(Float64Array, shards),
    stepped: sharedArray(Int32Array, 3),
    timeoutMs,
    spinMs: 0.1,
    coop: sharedArray(Int32Array, 1 + 3 * shards),
  };
}

describe('shared weight gradients', () => {
  it('blocks taken by a helper and by the owner add up to the bits of the whole gᵀ·x', () => {
    const rng = new Rng(3);
    const [n, inF, outF] = [16, 100, 24];
    const x = randn([n, inF], { rng });
    const g = randn([n, outF], { rng });
    const gw = randn([outF, inF], { dtype: 'float64', rng }); // garbage to overwrite
    const want = new Float64Array(outF * inF);
    linearBackward(x.data, n, inF, new Float32Array(outF * inF), outF, g.data, null, want, null);
    const sync = stepSync(2, 2);
    const work: SharedGemm = { shard: 1, x: x.handle(), g: g.handle(), gw: gw.handle(), blocks: 7 };
    expect(takeBlock(sync, work)).toBe(false); // the owner has not opened the queue yet
    Atomics.store(sync.coop, 1 + 3 * 1, 1); // what the owner does first
    for (let i = 0; i < 3; i++) expect(takeBlock(sync, work)).toBe(true); // a helper takes 3 blocks
    sharedWeightGradient(sync, work); // the owner takes the other 4 and returns when all 7 are done
    expect(takeBlock(sync, work)).toBe(false);
    expect(Array.from(sync.coop.subarray(4, 7))).toEqual([1, 7, 7]); // open, claimed, done
    expect(Buffer.from(gw.data.buffer, gw.data.byteOffset, gw.data.byteLength).equals(Buffer.from(want.buffer))).toBe(true);
  });

  it('a barrier gives up when the step is aborted, or when the others never come', () => {
    const sync = stepSync(2, 1, 50);
    const t0 = performance.now();
    expect(() => arriveAndWait(sync, SYNC.arrivedReduce)).toThrow(/synchronised step abandoned: waited 50 ms for 1 of 2 replicas/);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45);
    abortStep(sync);
    expect(() => arriveAndWait(sync, SYNC.arrivedStep)).toThrow(SyncAbort);
    expect(() => arriveAndWait(sync, SYNC.arrivedStep)).toThrow(/aborted/);
  });

  it('every replica decides the same: non-finite loss first, then non-finite norm, else the clipping scale', () => {
    const sync = stepSync(2, 2);
    sync.losses.set([0.5, 0.25]);
    sync.sq.set([9, 16, 0]);
    expect(decideStep(sync, null)).toEqual({ scale: 1 });
    expect(decideStep(sync, 1)).toEqual({ scale: 1 / (5 + 1e-6) });
    sync.sq[2] = Number.POSITIVE_INFINITY;
    expect(decideStep(sync, null)).toEqual({ nonFinite: { what: 'gradient norm', value: Number.POSITIVE_INFINITY } });
    sync.losses[1] = Number.NaN;
    expect(decideStep(sync, null)).toEqual({ nonFinite: { what: 'loss', value: Number.NaN } });
  });
});

describe('claimEach', () => {
  it('a replica claims its home range first, then what is left of the others, and nothing twice', () => {
    const sync = stepSync(3, 3);
    const seen: number[][] = [[], [], []];
    // Replica 2 claims two of its own (10 indices over 3 replicas: ranges 0–2, 3–5, 6–9)…
    let left = 2;
    expect(() =>
      claimEach(sync, CLAIM.step, 10, 2, (j) => {
        seen[2]!.push(j);
        if (--left === 0) throw new Error('pause');
      }),
    ).toThrow('pause');
    // …replica 0 then takes all of its own, the rest of replica 1's and 2's.
    claimEach(sync, CLAIM.step, 10, 0, (j) => seen[0]!.push(j));
    claimEach(sync, CLAIM.step, 10, 1, (j) => seen[1]!.push(j));
    expect(seen).toEqual([[0, 1, 2, 3, 4, 5, 8, 9], [], [6, 7]]);
    // The other kind of work has counters of its own (4 indices: ranges 0, 1, 2–3).
    claimEach(sync, CLAIM.reduce, 4, 1, (j) => seen[1]!.push(j));
    expect(seen[1]).toEqual([1, 2, 3, 0]);
  });
});

describe('blockEdge', () => {
  it('splits the columns into blocks that start on multiples of 8, in order, covering every column once', () => {
    for (const [cols, blocks] of [[784, 8], [784, 4], [10, 8], [3, 2], [256, 8], [1001, 7]] as const) {
      const edges = Array.from({ length: blocks + 1 }, (_, j) => blockEdge(j, cols, blocks));
      expect(edges[0]).toBe(0);
      expect(edges[blocks]).toBe(cols);
      for (let j = 0; j < blocks; j++) {
        expect(edges[j + 1]!).toBeGreaterThanOrEqual(edges[j]!);
        if (j > 0 && edges[j]! < cols) expect(edges[j]! % 8).toBe(0);
      }
    }
    // 784 columns in 4 blocks: widths 192 and 200, none ragged but the last.
    const w = Array.from({ length: 4 }, (_, j) => blockEdge(j + 1, 784, 4) - blockEdge(j, 784, 4));
    expect(w).toEqual([200, 192, 200, 192]);
  });
});
