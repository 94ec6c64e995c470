import { type Observable, type OperatorFunction, defaultIfEmpty, forkJoin, map, mergeMap, of } from 'rxjs';

/**
 * Runs every layer's optimiser step (all layers at once, each in its own actor) with the clipping
 * scale, and emits the input once all are done.
 *
 *     in:   -x|
 *     out:  ---x|    (steps take 2 frames, run in parallel)
 */
export function optimizerStep<T extends { scale: number }>(layers: number[], stage: (layer: number, scale: number) => Observable<unknown>): OperatorFunction<T, T> {
  // A stage is done when it completes, value or not (forkJoin alone would end the step empty).
  return mergeMap((v: T) => (layers.length ? forkJoin(layers.map((l) => stage(l, v.scale).pipe(defaultIfEmpty(null)))) : of([])).pipe(map(() => v)));
}
