import { type OperatorFunction, map, toArray } from 'rxjs';

/**
 * Waits for every item and emits them once, sorted by `index` — the order in which gradients are
 * reduced never depends on which shard finished first.
 *
 *     items:  -c-a-b|
 *     out:    ------(x|)     x = [a, b, c]
 */
export function gatherInOrder<T>(index: (item: T) => number): OperatorFunction<T, T[]> {
  return (src) =>
    src.pipe(
      toArray(),
      map((items) => [...items].sort((p, q) => index(p) - index(q))),
    );
}
