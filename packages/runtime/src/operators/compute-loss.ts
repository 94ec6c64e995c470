import { type Observable, type OperatorFunction, map, mergeMap } from 'rxjs';

/**
 * Asks the loss actor for each item's loss; emits `{item, loss}` as soon as that item's loss is in.
 *
 *     items:  -a--b|
 *     out:    ---A--B|     (loss takes 2 frames)
 */
export function computeLoss<T>(stage: (item: T) => Observable<number>): OperatorFunction<T, { item: T; loss: number }> {
  return mergeMap((item: T) => stage(item).pipe(map((loss) => ({ item, loss }))));
}
