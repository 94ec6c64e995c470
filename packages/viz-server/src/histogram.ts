import type { Bins } from './types.js';

type Numeric = ArrayLike<number>;

/**
 * Bins `values` into `bins` equal-width bins between their min and max (non-finite values are
 * skipped; all-equal values go to the middle bin). O(n), on the calling thread.
 */
export function binValues(values: Numeric, bins = 30): Bins {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`binValues: bins must be a positive integer, got ${bins}`);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const counts = new Array<number>(bins).fill(0);
  if (!(min <= max)) return { min: 0, max: 0, counts };
  const width = (max - min) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    const b = width > 0 ? Math.min(bins - 1, Math.floor((v - min) / width)) : bins >> 1;
    counts[b]!++;
  }
  return { min, max, counts };
}
