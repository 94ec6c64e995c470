import type { GradientTransformation } from '../types.js';
import { checkFinite } from '../validate.js';
import type { EmptyState } from './identity.js';
import { scaleTree } from './util.js';

/** Multiplies every gradient by a constant: `u = f · g`. */
export function scale(factor: number): GradientTransformation<EmptyState> {
  checkFinite('scale', 'factor', factor);
  return {
    init: () => ({}),
    update(grads, state) {
      return [scaleTree(grads, factor), state];
    },
  };
}
