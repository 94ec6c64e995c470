import type { ArrayTree } from '@actorgrad/core';

/**
 * A gradient transformation, as in optax: a pair of pure functions. `init` builds the state (plain
 * data: typed arrays, numbers, nested records) from the parameters; `update` maps gradients to
 * updates and returns the next state without mutating its inputs. Updates are *added* to the
 * parameters (`applyUpdates`), so a descent step carries the minus sign.
 */
export interface GradientTransformation<S = unknown> {
  init(params: ArrayTree): S;
  update(grads: ArrayTree, state: S, params?: ArrayTree): [ArrayTree, S];
}

/** A learning-rate schedule: a pure function from the 0-based step count to the learning rate. */
export type Schedule = (step: number) => number;

/** A learning rate given as a constant or as a schedule. */
export type LearningRate = number | Schedule;
