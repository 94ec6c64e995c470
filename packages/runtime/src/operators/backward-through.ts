import type { MonoTypeOperatorFunction, Observable } from 'rxjs';
import { forwardThrough } from './forward-through.js';

/**
 * The backward pass: like `forwardThrough`, with the stages visited from the last layer to the
 * first. Items proceed concurrently.
 *
 *     items:  -a-b|          2 layers
 *     out:    -----a-b|      (a visits layer 1, then layer 0)
 */
export function backwardThrough<T>(layers: number, stage: (layer: number, item: T) => Observable<unknown>): MonoTypeOperatorFunction<T> {
  return forwardThrough(layers, (l, item) => stage(layers - 1 - l, item));
}
