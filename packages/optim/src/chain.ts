import type { ArrayTree } from '@actorgrad/core';
import type { GradientTransformation } from './types.js';

/** The states of the transformations of a chain, in order. */
export type ChainState = unknown[];

/**
 * Composes transformations left to right: `u = T_n(… T_2(T_1(g)))`; each receives the params, the
 * state is the array of the inner states, in the same order (as optax's `chain`).
 */
export function chain(...transforms: GradientTransformation<unknown>[]): GradientTransformation<ChainState> {
  return {
    init: (params) => transforms.map((t) => t.init(params)),
    update(grads, state, params) {
      if (!Array.isArray(state) || state.length !== transforms.length) {
        throw new Error(
          `chain: state must be an array of ${transforms.length} inner states, got ${
            Array.isArray(state) ? `${state.length}` : typeof state
          }`,
        );
      }
      let updates: ArrayTree = grads;
      const next: ChainState = new Array(transforms.length);
      for (let i = 0; i < transforms.length; i++) {
        const [u, s] = transforms[i]!.update(updates, state[i], params);
        updates = u;
        next[i] = s;
      }
      return [updates, next];
    },
  };
}
