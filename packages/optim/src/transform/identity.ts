import type { GradientTransformation } from '../types.js';

/** The state of a transformation that keeps none. */
export type EmptyState = Record<string, never>;

/**
 * The transformation that leaves gradients unchanged: `u = g`. The returned updates are the input
 * tree itself (no copy); like every transformation it never writes into it.
 */
export function identity(): GradientTransformation<EmptyState> {
  return {
    init: () => ({}),
    update: (grads, state) => [grads, state],
  };
}
