import { Rng } from '../rng.js';
import type { Batch, Dataset } from './dataset.js';

export interface DataLoaderOptions {
  /** Examples per batch (a positive integer). */
  batchSize: number;
  /** Visit the examples in a fresh seeded random order every epoch (default false: in order). */
  shuffle?: boolean;
  /** Leave out the last batch when it has fewer than `batchSize` examples (default false). */
  dropLast?: boolean;
  /** Seed of the shuffle (default 0). */
  seed?: number;
  /**
   * Write each batch into the buffers of the last batch of its size instead of fresh ones (default
   * false), when the dataset has `batchInto`: a batch is then valid only until the next one is
   * asked for — use or copy it first. A training loop that steps on each batch before taking the
   * next allocates no memory per batch then (fresh shared memory per batch is garbage that V8
   * collects late, and counts against the process's RSS until it does).
   */
  reuseBuffers?: boolean;
}

/**
 * Iterates a dataset in batches: `for (const {x, y} of loader) …` is one epoch. With `shuffle`, the
 * order of epoch e is `Rng(mix(seed, e)).permutation(N)` — a function of the seed and the epoch
 * only, so a run resumed with `setEpoch(e)` sees the same batches. Each pass uses the current
 * epoch's order; when the pass ends (finished, or left early with `break`) the epoch advances by one.
 * Batches: ⌊N/B⌋ full ones, plus one of N mod B examples unless `dropLast`.
 */
export class DataLoader implements Iterable<Batch> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly seed: number;
  readonly reuseBuffers: boolean;
  private currentEpoch = 0;
  private startBatch = 0;
  /** With `reuseBuffers`: the last batch of each size, whose buffers the next of that size reuses. */
  private readonly lastBySize = new Map<number, Batch>();

  constructor(dataset: Dataset, options: DataLoaderOptions) {
    if (typeof dataset !== 'object' || dataset === null || typeof dataset.batch !== 'function') {
      throw new TypeError('DataLoader: dataset must implement Dataset ({length, batch(indices)})');
    }
    const { batchSize, shuffle = false, dropLast = false, seed = 0, reuseBuffers = false } = options ?? ({} as DataLoaderOptions);
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new RangeError(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    }
    if (!Number.isFinite(seed)) throw new RangeError(`DataLoader: seed must be a finite number, got ${seed}`);
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.seed = seed;
    this.reuseBuffers = reuseBuffers;
  }

  /** The number of batches per epoch: ⌊N/B⌋ with `dropLast`, else ⌈N/B⌉. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The epoch the next pass will use (0 at first). */
  get epoch(): number {
    return this.currentEpoch;
  }

  /**
   * Sets the epoch the next pass will use, e.g. to resume a run after epoch e − 1; with `batch`,
   * that pass starts at batch `batch` of the epoch's order (a run stopped inside the epoch resumes
   * with the very batches it had not trained on). Later passes start at batch 0.
   */
  setEpoch(epoch: number, batch = 0): void {
    if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`DataLoader.setEpoch: epoch must be a non-negative integer, got ${epoch}`);
    if (!Number.isInteger(batch) || batch < 0 || batch > this.length) {
      throw new RangeError(`DataLoader.setEpoch: batch must be an integer in [0, ${this.length}] (batches per epoch), got ${batch}`);
    }
    this.currentEpoch = epoch;
    this.startBatch = batch;
  }

  /** The order in which epoch `epoch` visits the examples (0, 1, …, N − 1 without shuffle). */
  order(epoch = this.currentEpoch): Int32Array {
    const n = this.dataset.length;
    if (this.shuffle) return new Rng(epochSeed(this.seed, epoch)).permutation(n);
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    return idx;
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const order = this.order(this.currentEpoch);
    const b = this.batchSize;
    const end = this.dropLast ? order.length - (order.length % b) : order.length;
    const first = this.startBatch * b;
    this.startBatch = 0;
    try {
      for (let start = first; start < end; start += b) {
        yield this.take(order.subarray(start, Math.min(start + b, end)));
      }
    } finally {
      this.currentEpoch++;
    }
  }

  private take(indices: Int32Array): Batch {
    const ds = this.dataset;
    if (!this.reuseBuffers || !ds.batchInto) return ds.batch(indices);
    const last = this.lastBySize.get(indices.length);
    if (last) return ds.batchInto(indices, last);
    const fresh = ds.batch(indices);
    this.lastBySize.set(indices.length, fresh);
    return fresh;
  }
}

/** A 32-bit seed from (seed, epoch), mixed with the murmur3 finaliser so nearby pairs differ. */
function epochSeed(seed: number, epoch: number): number {
  let h = (Math.floor(seed) >>> 0) ^ Math.imul(epoch + 1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
