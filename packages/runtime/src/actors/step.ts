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
 * One optimiser step of one actor: scale the reduced gradients (clipping), run the pure update and
 * add it to the parameters in place. Returns the next optimiser state.
 */
export function optimizerStep(
  cfg: OptimizerConfig,
  lr: number,
  gradScale: number,
  keys: string[],
  params: FloatArray[],
  grads: FloatArray[],
  state: unknown,
): unknown {
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
  // The old state and the updates are dead now (the engine keeps only `next`, and re-sends the old
  // state only if this thread died, taking its pool with it): this thread reuses their memory, so a
  // step touches no fresh shared memory (page faults from several threads contend in the kernel).
  const live = optim.arraysIn([next, params, grads]);
  pool.give([...optim.arraysIn([state, updates])].filter((a) => !live.has(a) && a.buffer instanceof SharedArrayBuffer));
  return next;
}
