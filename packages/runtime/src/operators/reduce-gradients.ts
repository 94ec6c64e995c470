import { type Observable, type OperatorFunction, forkJoin, map, mergeMap, of, throwIfEmpty } from 'rxjs';

/**
 * After every shard is back, reduces each layer's shard gradients (in shard order, inside the
 * stage) — all layers at once — and emits the input with the global squared norm Σ‖g‖², summed
 * in layer order.
 *
 *     in:   --x|
 *     out:  ----(y|)    y = {value: x, sqNorm}
 */
export function reduceGradients<T>(layers: number[], stage: (layer: number) => Observable<number>): OperatorFunction<T, { value: T; sqNorm: number }> {
  return mergeMap((value: T) =>
    (layers.length ? forkJoin(layers.map((l) => stage(l).pipe(throwIfEmpty(() => new Error(`reduceGradients: unit ${l} completed without a squared norm`))))) : of([] as number[])).pipe(
      map((norms) => ({ value, sqNorm: norms.reduce((a, b) => a + b, 0) })),
    ),
  );
}
