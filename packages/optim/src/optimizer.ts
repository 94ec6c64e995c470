import { allocShared, type ArrayTree, dtypeOf, type FloatArray } from '@actorgrad/core';
import { applyUpdatesInPlace } from './apply-updates.js';
import { ArrayPool, arraysIn, deleteArraysIn, withPool } from './recycle.js';
import { decodeState, type EncodedState, encodeState } from './state-dict.js';
import type { GradientTransformation } from './types.js';

/** What the Optimizer needs of a parameter (core's `Tensor` has this shape). */
export interface ParamLike {
  data: FloatArray;
  grad: { data: FloatArray } | null;
}

/** The serialisable form of an Optimizer's state; `JSON.stringify` and `JSON.parse` are exact. */
export interface OptimizerStateDict {
  format: 'actorgrad.optim/1';
  stepCount: number;
  keys: string[];
  state: EncodedState;
}

/**
 * A thin stateful wrapper over a pure transformation, for library users:
 * `const opt = new Optimizer(model.parameters(), adam({lr: 1e-3}))`, then per batch
 * `opt.zeroGrad(); loss.backward(); opt.step()`.
 *
 * `params` is a record (names become the tree keys) or an array (keys `'0'`, `'1'`, …). `step()`
 * computes `[u, s] = T.update(g, s, p)` and does `p ← p + u` in place in each `param.data`.
 * A parameter whose `grad` is null counts as a zero gradient. This differs from torch, which skips
 * such a parameter (no state change at all): here its momentum and weight decay still act on it,
 * which keeps one step count and one state shape for the whole tree.
 *
 * The Optimizer recycles the memory of the states it replaces (fresh shared memory is slow on first
 * touch), so an object read from `state` is valid until the next `step()`; take a `stateDict()` to
 * keep one. A transformation run by an Optimizer must not hold on to arrays it has returned.
 */
export class Optimizer<S = unknown> {
  readonly transformation: GradientTransformation<S>;
  private readonly entries: [string, ParamLike][];
  private current: S;
  private steps = 0;
  private readonly pool = new ArrayPool();

  constructor(params: Record<string, ParamLike> | ParamLike[], transformation: GradientTransformation<S>) {
    const entries: [string, ParamLike][] = Array.isArray(params)
      ? params.map((p, i) => [String(i), p])
      : Object.entries(params);
    if (entries.length === 0) throw new RangeError('Optimizer: params is empty');
    for (const [key, p] of entries) {
      if (!(p?.data instanceof Float32Array || p?.data instanceof Float64Array)) {
        throw new TypeError(`Optimizer: params['${key}'].data must be a Float32Array or Float64Array`);
      }
    }
    this.entries = entries;
    this.transformation = transformation;
    this.current = transformation.init(this.paramTree());
  }

  /** The current transformation state (plain data, read-only, valid until the next `step()`). */
  get state(): S {
    return this.current;
  }

  /** Number of `step()` calls so far (restored by `loadStateDict`). */
  get stepCount(): number {
    return this.steps;
  }

  /** Sets every existing gradient to 0 (parameters without a gradient are left alone). */
  zeroGrad(): void {
    for (const [, p] of this.entries) p.grad?.data.fill(0);
  }

  /** One optimisation step from the gradients currently in `param.grad`. */
  step(): void {
    const params = this.paramTree();
    const grads: ArrayTree = {};
    for (const [key, p] of this.entries) {
      const g = p.grad?.data ?? allocShared(dtypeOf(p.data), p.data.length);
      if (g.length !== p.data.length) {
        throw new RangeError(`Optimizer.step: grad of '${key}' has ${g.length} elements, its param ${p.data.length}`);
      }
      grads[key] = g;
    }
    const [updates, next] = withPool(this.pool, () => this.transformation.update(grads, this.current, params));
    applyUpdatesInPlace(params, updates);
    // Dead now: arrays of the old state and of the updates that the new state does not hold and
    // that are not the caller's (an identity update is the gradient itself).
    const dead = arraysIn([this.current, updates]);
    if (dead.size > 0) {
      deleteArraysIn(next, dead);
      deleteArraysIn(grads, dead);
      deleteArraysIn(params, dead);
      this.pool.give(dead);
    }
    this.current = next;
    this.steps++;
  }

  /** The state as JSON-safe data (typed arrays as `{dtype, data}`, exact through JSON). */
  stateDict(): OptimizerStateDict {
    return {
      format: 'actorgrad.optim/1',
      stepCount: this.steps,
      keys: this.entries.map(([k]) => k),
      state: encodeState(this.current),
    };
  }

  /** Restores a `stateDict()`; checks the format, the parameter names and every shape and dtype. */
  loadStateDict(dict: OptimizerStateDict): void {
    const fn = 'Optimizer.loadStateDict';
    if (dict === null || typeof dict !== 'object' || dict.format !== 'actorgrad.optim/1') {
      throw new TypeError(`${fn}: expected a state dict with format 'actorgrad.optim/1'`);
    }
    const keys = this.entries.map(([k]) => k);
    if (!Array.isArray(dict.keys) || dict.keys.join('\u0000') !== keys.join('\u0000')) {
      throw new RangeError(`${fn}: parameter names ${JSON.stringify(dict.keys)} differ from ${JSON.stringify(keys)}`);
    }
    if (!Number.isInteger(dict.stepCount) || dict.stepCount < 0) {
      throw new RangeError(`${fn}: stepCount must be an integer >= 0, got ${dict.stepCount}`);
    }
    const template = this.transformation.init(this.paramTree());
    this.current = decodeState(dict.state, template, fn);
    this.steps = dict.stepCount;
  }

  private paramTree(): ArrayTree {
    const tree: ArrayTree = {};
    for (const [key, p] of this.entries) tree[key] = p.data;
    return tree;
  }
}
