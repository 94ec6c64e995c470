import { describe, expect, it } from 'vitest';
import { plain, tree } from '../test/helpers.js';
import { applyUpdates, applyUpdatesInPlace } from './apply-updates.js';

describe('applyUpdates', () => {
  it('returns p + u in new arrays and leaves the inputs alone', () => {
    const p = tree({ w: [1, 2], b: [0.5] });
    const u = tree({ w: [0.25, -2], b: [1] });
    const q = applyUpdates(p, u);
    expect(plain(q)).toEqual({ w: [1.25, 0], b: [1.5] });
    expect(plain(p)).toEqual({ w: [1, 2], b: [0.5] });
    expect(q.w).not.toBe(p.w);
  });

  it('keeps the params dtype', () => {
    const q = applyUpdates(tree({ w: [1] }, 'float32'), tree({ w: [0.1] }));
    expect(q.w).toBeInstanceOf(Float32Array);
    expect(q.w![0]).toBe(Math.fround(1.1));
  });

  it('in place writes into the params', () => {
    const p = tree({ w: [1, 2] });
    const w = p.w;
    applyUpdatesInPlace(p, tree({ w: [1, 1] }));
    expect(p.w).toBe(w);
    expect(Array.from(w!)).toEqual([2, 3]);
  });

  it('names missing or mis-sized entries', () => {
    expect(() => applyUpdates(tree({ w: [1] }), tree({ v: [1] }))).toThrow("applyUpdates: updates have no entry 'w'");
    expect(() => applyUpdatesInPlace(tree({ w: [1] }), tree({ w: [1, 2] }))).toThrow(
      "applyUpdatesInPlace: updates['w'] has 2 elements, params['w'] has 1",
    );
  });
});
