import { describe, expect, it } from 'vitest';
import { chunkLayout, rechunk } from './chunks.js';

/** An Adam-like chain state for a chunk of [lo, hi): per-element arrays holding their index. */
const state = (lo: number, hi: number, count = 3) => [
  { count, mu: { w: Float32Array.from({ length: hi - lo }, (_, i) => lo + i) }, nu: { w: Float32Array.from({ length: hi - lo }, (_, i) => -(lo + i)) }, nuMax: null },
  { count: count + 1 },
];

describe('chunk layouts and re-chunking', () => {
  it('cuts each parameter into equal parts of at most `chunk` elements', () => {
    expect(chunkLayout([[10, 3], [], [7]], 4)).toEqual([
      { layer: 0, param: 0, lo: 0, hi: 3 },
      { layer: 0, param: 0, lo: 3, hi: 7 },
      { layer: 0, param: 0, lo: 7, hi: 10 },
      { layer: 0, param: 1, lo: 0, hi: 3 },
      { layer: 2, param: 0, lo: 0, hi: 4 },
      { layer: 2, param: 0, lo: 4, hi: 7 },
    ]);
    expect(() => chunkLayout([[4]], 0)).toThrow(/chunk must be a positive integer, got 0/);
  });

  it('joins and cuts states elementwise, and back again without a change', () => {
    const sizes = [[10, 3], [7]];
    const big = chunkLayout(sizes, 8);
    const small = chunkLayout(sizes, 3);
    const states = big.map((c) => state(c.lo, c.hi));
    const cut = rechunk(states, big, small);
    expect(cut).toHaveLength(small.length);
    small.forEach((c, i) => expect(cut[i]).toEqual(state(c.lo, c.hi)));
    expect(rechunk(cut, small, big)).toEqual(states);
  });

  it('refuses chunks that disagree on a count, or states of another layout', () => {
    const layout = chunkLayout([[10]], 5);
    expect(() => rechunk([state(0, 5, 3), state(5, 10, 4)], layout, chunkLayout([[10]], 10))).toThrow(/layer 0 parameter 0: the chunks disagree \(3 and 4\)/);
    expect(() => rechunk([state(0, 5)], layout, layout)).toThrow(/1 states for a layout of 2 chunks/);
    expect(() => rechunk([state(0, 4), state(5, 10)], layout, chunkLayout([[10]], 10))).toThrow(/an array leaf of 4 elements in a chunk of 5/);
  });
});
