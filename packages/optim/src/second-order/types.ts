/**
 * Shapes shared by the second-order methods. Everything works on one flat Float64Array of
 * parameters `x`; the stateful {@link ClosureOptimizer} flattens tensors into it.
 */

/** Loss and gradient at a point. */
export interface Evaluation {
  loss: number;
  grad: Float64Array;
}

/**
 * The function to minimise: loss and gradient at `x`. It must not keep or mutate `x`; the
 * returned `grad` is copied, so the objective may reuse its buffer.
 */
export type Objective = (x: Float64Array) => Evaluation;

/** Where a line search stopped along `x + t·d`. */
export interface LineSearchResult {
  /** Accepted step length (0 if no acceptable point was found). */
  t: number;
  /** `x + t·d`. */
  x: Float64Array;
  /** Loss at `x + t·d`. */
  loss: number;
  /** Gradient at `x + t·d`. */
  grad: Float64Array;
  /** Number of objective evaluations spent. */
  evaluations: number;
  /** Whether the search's conditions hold at `t` (false: budget or bracket exhausted). */
  satisfied: boolean;
}

/**
 * A line search as the methods call it: from `x` (whose `loss` and `grad` are known) along the
 * descent direction `d`, trying `t0` first.
 */
export type LineSearch = (
  f: Objective,
  x: Float64Array,
  loss: number,
  grad: Float64Array,
  d: Float64Array,
  t0: number,
) => LineSearchResult;

/** What one run of a method returns. */
export interface RunResult<S> {
  x: Float64Array;
  loss: number;
  grad: Float64Array;
  /** The method's state after the run (plain data; the input state is not mutated). */
  state: S;
  iterations: number;
  /** Objective evaluations, including the one at the starting point. */
  evaluations: number;
  /** The gradient test passed (‖g‖∞ ≤ tolerance). */
  converged: boolean;
  /** True when `loss`/`grad` belong to an earlier point than `x` (L-BFGS without line search). */
  stale?: boolean;
}

/**
 * A second-order method as a pair of functions: `init(n)` builds its state for `n` parameters,
 * and `run` performs up to its `maxIter` iterations from `x` (with `start` = loss and gradient at
 * `x`). Used by {@link minimize} and {@link ClosureOptimizer}.
 */
export interface SecondOrderMethod<S = unknown> {
  readonly name: string;
  init(n: number): S;
  run(f: Objective, x: Float64Array, start: Evaluation, state: S): RunResult<S>;
}

/** Result of {@link minimize}. */
export interface MinimizeResult {
  x: Float64Array;
  loss: number;
  grad: Float64Array;
  iterations: number;
  evaluations: number;
  converged: boolean;
}
