import * as optim from '@actorgrad/optim';
import { describe, expect, it } from 'vitest';
import type { OptimizerConfig } from '../protocol.js';
import { SlabPool, intoSlabs, transformationOf } from './step.js';

describe('SlabPool', () => {
  it('carves new arrays from one shared slab: zeroed, 64-byte aligned, not overlapping', () => {
    const pool = new SlabPool(1 << 16);
    const a = pool.take('float32', 100)!;
    const b = pool.take('float64', 30)!;
    const c = pool.take('float32', 7)!;
    for (const x of [a, b, c]) {
      expect(x.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(x.byteOffset % 64).toBe(0);
      expect([...x].every((v) => v === 0)).toBe(true);
    }
    expect(a).toBeInstanceOf(Float32Array);
    expect(b).toBeInstanceOf(Float64Array);
    expect([a.length, b.length, c.length]).toEqual([100, 30, 7]);
    expect(b.buffer).toBe(a.buffer);
    expect(c.buffer).toBe(a.buffer);
    // Ranges in bytes do not overlap.
    const ranges = [a, b, c].map((x) => [x.byteOffset, x.byteOffset + x.byteLength] as const).sort((p, q) => p[0] - q[0]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1]);
    a.fill(1);
    b.fill(2);
    expect([...c].every((v) => v === 0)).toBe(true);
  });

  it('opens a new slab when one is full, and leaves arrays bigger than a quarter of the largest slab to the caller', () => {
    const pool = new SlabPool(4096);
    const first = pool.take('float32', 256)!; // 1024 bytes
    const rest = [1, 2, 3].map(() => pool.take('float32', 256)!);
    expect(first.buffer.byteLength).toBe(4096);
    expect(rest.every((x) => x.buffer === first.buffer)).toBe(true);
    const next = pool.take('float32', 256)!;
    expect(next.buffer).not.toBe(first.buffer);
    expect(next.byteOffset).toBe(0);
    expect(pool.take('float32', 257)).toBeUndefined();
  });

  it('starts with small slabs and doubles them up to the largest', () => {
    const pool = new SlabPool(1 << 20);
    const sizes: number[] = [];
    let last: ArrayBufferLike | null = null;
    for (let i = 0; i < 200; i++) {
      const a = pool.take('float32', 4096)!; // 16 KiB each
      if (a.buffer !== last) sizes.push(a.buffer.byteLength);
      last = a.buffer;
    }
    expect(sizes.slice(0, 5)).toEqual([64 << 10, 128 << 10, 256 << 10, 512 << 10, 1 << 20]);
    expect(sizes.slice(5).every((s) => s === 1 << 20)).toBe(true);
    // One array of a tiny model: one small slab.
    expect(new SlabPool().take('float32', 10)!.buffer.byteLength).toBe(64 << 10);
  });

  it('hands back recycled arrays first', () => {
    const pool = new SlabPool(1 << 16);
    const a = pool.take('float32', 10)!;
    a.fill(5);
    pool.give([a]);
    expect(pool.take('float32', 10)).toBe(a);
    expect(pool.take('float32', 10)).not.toBe(a);
  });

  it('serves optim through withPool: the state of an update lives in slabs', () => {
    const pool = new SlabPool(1 << 20);
    const t = optim.adam({ lr: 0.1 });
    const p = { w: new Float32Array([1, 2, 3]) };
    const [, next] = optim.withPool(pool, () => t.update({ w: new Float32Array([0.5, -1, 2]) }, optim.withPool(pool, () => t.init(p)), p));
    const arrays = [...optim.arraysIn(next)];
    expect(arrays.length).toBeGreaterThanOrEqual(2);
    const slab = arrays[0]!.buffer;
    expect(slab.byteLength).toBe(64 << 10);
    expect(arrays.every((x) => x.buffer === slab)).toBe(true);
  });
});

describe('intoSlabs', () => {
  it('copies a state: same structure and values, new arrays in slabs, other leaves as they were', () => {
    const pool = new SlabPool(1 << 16);
    const src = { count: 3, mu: { w: new Float32Array([1.5, -2]), b: new Float64Array([0.25]) }, list: [new Float32Array([7]), null, 'x'] };
    const copy = intoSlabs(src, pool);
    expect(copy).toEqual(src);
    expect(copy.mu.w).not.toBe(src.mu.w);
    expect(copy.mu.w).toBeInstanceOf(Float32Array);
    expect(copy.mu.b).toBeInstanceOf(Float64Array);
    expect(copy.mu.w.buffer).toBe(copy.mu.b.buffer);
    expect((copy.list[0] as Float32Array).buffer).toBe(copy.mu.w.buffer);
    src.mu.w[0] = 99;
    expect(copy.mu.w[0]).toBe(1.5);
  });

  it('gives an array too big for a slab a shared buffer of its own', () => {
    const pool = new SlabPool(1024);
    const big = new Float32Array(1000).map((_, i) => i);
    const copy = intoSlabs({ big }, pool);
    expect(copy.big).not.toBe(big);
    expect(copy.big.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([...copy.big]).toEqual([...big]);
  });
});

describe('transformationOf', () => {
  it('reuses the last transformation for the same configuration and learning rate, and still validates', () => {
    const cfg: OptimizerConfig = { name: 'adam', options: { betas: [0.9, 0.99] } };
    const t = transformationOf(cfg, 0.01);
    expect(transformationOf(cfg, 0.01)).toBe(t);
    expect(transformationOf({ name: 'adam', options: { betas: [0.9, 0.99] } }, 0.01)).toBe(t);
    expect(transformationOf(cfg, 0.02)).not.toBe(t);
    // Options changed in place: a new transformation, not the kept one.
    const u = transformationOf(cfg, 0.02);
    (cfg.options as { betas: number[] }).betas[1] = 0.999;
    expect(transformationOf(cfg, 0.02)).not.toBe(u);
    expect(transformationOf({ name: 'sgd', options: {} }, 0.02)).not.toBe(u);
    const bad: OptimizerConfig = { name: 'adam', options: { betas: [1, 0.9] } };
    expect(() => transformationOf(bad, 0.01)).toThrow('adam: betas[0] must be in [0, 1), got 1');
    // A configuration that failed is not kept: asked again, it is validated again.
    expect(() => transformationOf(bad, 0.01)).toThrow('adam: betas[0] must be in [0, 1), got 1');
  });
});
