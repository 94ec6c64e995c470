import { type OperatorFunction, from, mergeMap } from 'rxjs';

/** One shard (micro-batch) of a batch: rows [start, end). */
export interface Shard {
  index: number;
  start: number;
  end: number;
}

/** Splits n rows into k contiguous shards; the first n mod k shards get one extra row. */
export function planShards(n: number, k: number): Shard[] {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`scatter: shard count must be a positive integer, got ${k}`);
  if (n < k) throw new RangeError(`scatter: a batch of ${n} rows cannot be split into ${k} shards`);
  const base = Math.floor(n / k);
  const extra = n % k;
  const out: Shard[] = [];
  let start = 0;
  for (let i = 0; i < k; i++) {
    const size = base + (i < extra ? 1 : 0);
    out.push({ index: i, start, end: start + size });
    start += size;
  }
  return out;
}

/**
 * Scatters each batch (given by its row count) into `k` shards, emitted in shard order.
 *
 *     batch:   --8|
 *     shards:  --(abcd)|     k = 4: a = rows 0–1, b = 2–3, c = 4–5, d = 6–7
 */
export function scatter(k: number): OperatorFunction<number, Shard> {
  return mergeMap((n) => from(planShards(n, k)));
}
