import type { ArrayTree } from '@actorgrad/core';
import type { GradientTransformation } from '../types.js';
import { checkBoolean, checkDecay, checkUnit } from '../validate.js';
import { emptyLike, fullLike, leaf } from './util.js';

export interface TraceOptions {
  /** Momentum μ, in [0, 1). */
  decay: number;
  /** Dampening d, in [0, 1]; 0 by default. Must be 0 with Nesterov. */
  dampening?: number;
  /** Nesterov momentum; false by default. */
  nesterov?: boolean;
}

export interface TraceState {
  /** Number of updates done so far (the buffer is seeded with the first gradient). */
  count: number;
  /** The momentum buffer b. */
  buf: ArrayTree;
}

/**
 * Momentum with PyTorch SGD semantics: on the first step `b = g`, afterwards
 * `b = μ·b + (1 − d)·g`; the output is `b`, or `g + μ·b` with Nesterov.
 *
 * With `u = −α·b` this is the lecture's heavy ball `v ← βv − α∇J(θ)`, `θ ← θ + v` (v = −αb), and
 * Nesterov's `v ← βv − α∇J(θ + βv)` written in the look-ahead variable `θ + βv` (Sutskever et al.,
 * 2013). Reference: torch.optim.SGD.
 */
export function trace(options: TraceOptions): GradientTransformation<TraceState> {
  const mu = checkDecay('trace', 'decay', options.decay);
  const dampening = checkUnit('trace', 'dampening', options.dampening ?? 0);
  const nesterov = checkBoolean('trace', 'nesterov', options.nesterov ?? false);
  if (nesterov && (mu <= 0 || dampening !== 0)) {
    throw new RangeError(
      `trace: nesterov needs decay > 0 and dampening = 0, got decay ${mu} and dampening ${dampening}`,
    );
  }
  const c = 1 - dampening;
  return {
    init: (params) => ({ count: 0, buf: fullLike(params, 0) }),
    update(grads, state) {
      const first = state.count === 0;
      const updates: ArrayTree = {};
      const buf: ArrayTree = {};
      for (const key of Object.keys(grads)) {
        const g = grads[key]!;
        const b0 = leaf('trace', state.buf, 'state.buf', key, g.length);
        const b = emptyLike(b0);
        if (first) b.set(g);
        else for (let i = 0; i < g.length; i++) b[i] = mu * b0[i]! + c * g[i]!;
        // The output never aliases the state: a caller may keep or modify its updates.
        const u = emptyLike(g);
        if (nesterov) for (let i = 0; i < g.length; i++) u[i] = g[i]! + mu * b[i]!;
        else u.set(b);
        buf[key] = b;
        updates[key] = u;
      }
      return [updates, { count: state.count + 1, buf }];
    },
  };
}
