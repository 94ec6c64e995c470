import type { Tensor } from '../tensor.js';

/**
 * A preprocessing step fitted on training data and then applied, unchanged, to any other data
 * (validation, test, deployment) — the statistics never come from the data being transformed.
 * Inputs are `[N, features]` float32 or float64 tensors; outputs have the input's dtype and no
 * autograd graph. `state()` is plain JSON-able data; each class has a `static fromState(state)`.
 */
export interface Preprocessor<S> {
  /** Whether `fit` (or `fromState`) has set the statistics. */
  readonly fitted: boolean;
  /** Learns the statistics from the training data `x` and returns this. */
  fit(x: Tensor): this;
  /** Applies the fitted map to `x`. */
  transform(x: Tensor): Tensor;
  /** `fit(x)` then `transform(x)`. */
  fitTransform(x: Tensor): Tensor;
  /** Undoes `transform`: `inverseTransform(transform(x)) ≈ x`. */
  inverseTransform(x: Tensor): Tensor;
  /** The fitted statistics as plain data. */
  state(): S;
}
