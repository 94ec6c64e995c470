import { describe, expect, it } from 'vitest';
import { allocShared } from '../src/dtype.js';

describe('allocShared: small arrays from shared slabs', () => {
  it('gives zero-filled, 16-byte-aligned, pairwise disjoint small arrays over shared memory', () => {
    const arrays = Array.from({ length: 200 }, (_, i) => allocShared(i % 2 ? 'float64' : 'float32', 1 + (i % 37)));
    for (const a of arrays) {
      expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(a.byteOffset % 16).toBe(0);
      expect(a.every((v) => v === 0)).toBe(true);
    }
    // write a distinct value everywhere, then every array still holds only its own
    arrays.forEach((a, i) => a.fill(i + 1));
    arrays.forEach((a, i) => expect(a.every((v) => v === i + 1)).toBe(true));
    expect(new Set(arrays.map((a) => a.buffer)).size).toBeLessThan(arrays.length);
  });

  it('gives an array above 512 bytes a buffer of its own, and an empty one length 0', () => {
    const big = allocShared('float32', 129);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(129 * 4);
    expect(allocShared('float64', 0).length).toBe(0);
  });
});
