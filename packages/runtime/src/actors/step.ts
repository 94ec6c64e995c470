import type { ArrayTree, FloatArray } from '@actorgrad/core';
import * as optim from '@actorgrad/optim';
import type { OptimizerConfig } from '../protocol.js';

type Alias = (o: Record<string, unknown>) => optim.GradientTransformation;

/** This thread's recycled optimiser arrays. */
const pool = new optim.ArrayPool();

/** The optimiser aliases a job may name; each is rebuilt per step with that step's learning rate. */
export const OPTIMIZERS: Record<string, Alias> = {
  sgd: optim.sgd as unknown as Alias,
  adam: optim.adam as unknown as Alias,
  adamw: optim.adamw as unknown as Alias,
  adamax: optim.adamax as unknown as Alias,
  nadam: optim.nadam as unknown as Alias,
  radam: optim.radam as unknown as Alias,
  adagrad: optim.adagrad as unknown as Alias,
  adadelta: optim.adadelta as unknown as Alias,
  rmsprop: optim.rmsprop as unknown as Alias,
};

export function transformationOf(cfg: OptimizerConfig, lr: number): optim.GradientTransformation {
  const alias = OPTIMIZERS[cfg.name];
  if (!alias) throw new RangeError(`optimizer: unknown name '${cfg.name}'; known: ${Object.keys(OPTIMIZERS).join(', ')}`);
  return alias({ ...cfg.options, lr });
}

/**
 * Hands this thread arrays that nobody references any more (old optimiser states of a committed
 * step): later updates reuse their memory instead of touching fresh shared memory (page faults
 * from several threads contend in the kernel).
 */
export function recycle(arrays: Iterable<FloatArray>): void {
  pool.give([...arrays].filter((a) => a.buffer instanceof SharedArrayBuffer));
}

/**
 * One optimiser step of one actor: scale the reduced gradients (clipping), run the pure update and
 * add it to the parameters in place. Returns the next optimiser state, and the arrays of the old
 * state that it no longer references. Those are *not* recycled here: if the engine rolls the step
 * back, the old state is live again; it hands them back (`recycle`) once the step has committed.
 */
export function optimizerStep(
  cfg: OptimizerConfig,
  lr: number,
  gradScale: number,
  keys: string[],
  params: FloatArray[],
  grads: FloatArray[],
  state: unknown,
): { next: unknown; dead: FloatArray[] } {
  const t = transformationOf(cfg, lr);
  const p: ArrayTree = {};
  const g: ArrayTree = {};
  keys.forEach((k, i) => {
    p[k] = params[i]!;
    const src = grads[i]!;
    if (gradScale === 1) g[k] = src;
    else {
      // Scaled into a copy: the reduced gradients stay as they were (the engine reports them).
      const scaled = src instanceof Float64Array ? new Float64Array(src.length) : new Float32Array(src.length);
      for (let j = 0; j < src.length; j++) scaled[j] = src[j]! * gradScale;
      g[k] = scaled;
    }
  });
  const [updates, next] = optim.withPool(pool, () => t.update(g, state, p));
  keys.forEach((k, i) => {
    const u = updates[k]!;
    const d = params[i]!;
    for (let j = 0; j < d.length; j++) d[j] = d[j]! + u[j]!;
  });
  // The updates are scratch: dead now, unless the transformation handed out a state array as an update.
  const live = optim.arraysIn([next, state, params, grads]);
  recycle([...optim.arraysIn(updates)].filter((a) => !live.has(a)));
  const stillLive = optim.arraysIn([next, params, grads]);
  return { next, dead: [...optim.arraysIn(state)].filter((a) => !stillLive.has(a)) };
}
