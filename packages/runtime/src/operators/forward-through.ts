import { type MonoTypeOperatorFunction, type Observable, concatMap, last, map, mergeMap, range } from 'rxjs';

/**
 * Sends each item through `layers` stages in order (stage l waits for stage l − 1 of the same
 * item); different items proceed concurrently, so item i+1 can be in stage 0 while item i is in
 * stage 1 — pipelining. Emits each item when its last stage is done.
 *
 *     items:  -a-b|                 stage costs 2 frames each, 2 layers, one actor per layer
 *     out:    -----a-b|             (b enters layer 0 while a is in layer 1)
 */
export function forwardThrough<T>(layers: number, stage: (layer: number, item: T) => Observable<unknown>): MonoTypeOperatorFunction<T> {
  return mergeMap((item: T) =>
    range(0, layers).pipe(
      concatMap((l) => stage(l, item)),
      last(null, null),
      map(() => item),
    ),
  );
}
