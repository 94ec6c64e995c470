import type { Recorded } from './types.js';

/** Points per chunk moved out of the exact tail, and the bound on the downsampled part. */
export interface SeriesLimits {
  /** The latest points kept exactly (between `tail` and `2·tail`). */
  tail: number;
  /** At most this many downsampled points before their buckets are merged two by two. */
  older: number;
}

/**
 * A per-step series (the 'step' events) kept in bounded memory: the latest `tail`…`2·tail` points
 * exact, everything older as min/max buckets (by loss: each bucket of `bucket` consecutive steps keeps
 * its lowest and highest point, in step order, so spikes survive). When the downsampled part passes
 * `older` points, adjacent buckets merge (the bucket doubles), so its size stays between older/2 and
 * older whatever the run's length.
 *
 * Memory: with the defaults (tail 2 000, older 4 000) at most 8 000 step records are held, each
 * ≈ 200 bytes (the event object, its 7 numbers and the record) — about 1.6 MB for a run of any length,
 * a 1-million-step run included (its older part then has buckets of 512 steps).
 */
export class StepSeries {
  private older: Recorded[] = [];
  private tail: Recorded[] = [];
  private bucket = 8;

  constructor(private readonly limits: SeriesLimits = { tail: 2000, older: 4000 }) {}

  /** Adds the latest point (ids must increase). */
  push(r: Recorded): void {
    this.tail.push(r);
    if (this.tail.length < 2 * this.limits.tail) return;
    const moved = this.tail.splice(0, this.limits.tail);
    for (const p of minMax(moved, this.bucket)) this.older.push(p);
    while (this.older.length > this.limits.older) {
      this.older = minMax(this.older, 4);
      this.bucket *= 2;
    }
  }

  /** Points held. */
  get size(): number {
    return this.older.length + this.tail.length;
  }

  /** The points held with id > `after`, in id order. */
  since(after: number): Recorded[] {
    return [...afterId(this.older, after), ...afterId(this.tail, after)];
  }
}

/** Each run of `n` points becomes its lowest- and highest-loss points, in id order. */
function minMax(points: Recorded[], n: number): Recorded[] {
  const out: Recorded[] = [];
  for (let i = 0; i < points.length; i += n) {
    const group = points.slice(i, i + n);
    let lo = group[0]!;
    let hi = group[0]!;
    for (const p of group) {
      if (loss(p) < loss(lo)) lo = p;
      if (loss(p) > loss(hi)) hi = p;
    }
    if (lo === hi) out.push(lo);
    else out.push(...(lo.id < hi.id ? [lo, hi] : [hi, lo]));
  }
  return out;
}

function loss(r: Recorded): number {
  const v = r.e.type === 'step' ? r.e.loss : 0;
  return Number.isFinite(v) ? v : Number.MAX_VALUE;
}

/** The suffix of an id-sorted array with id > `after` (binary search). */
export function afterId(list: Recorded[], after: number): Recorded[] {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.id <= after) lo = mid + 1;
    else hi = mid;
  }
  return list.slice(lo);
}
