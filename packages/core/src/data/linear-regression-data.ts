import { allocShared, checkDType, type DType } from '../dtype.js';
import { Rng } from '../rng.js';
import { Tensor } from '../tensor.js';
import type { Batch } from './dataset.js';

export interface LinearRegressionDataOptions {
  /** Number of samples N (default 30, as in the lectures). */
  n?: number;
  /** Seed of the generator (default 0). */
  seed?: number;
  /** The true slope w (default 3). */
  slope?: number;
  /** The true intercept b (default 2). */
  intercept?: number;
  /** Half-width h of the uniform noise U(−h, h) (default 0.1). */
  noise?: number;
  /** x is drawn uniformly from [low, high) (default [0, 1)). */
  low?: number;
  high?: number;
  dtype?: DType;
}

/**
 * The lectures' regression set: N = 30 samples of y = 3x + 2 + U(−0.1, 0.1), as x [N, 1] and
 * y [N, 1]. The lectures do not say how x is chosen; here xᵢ ~ U(low, high) with [0, 1) by
 * default, drawn from `Rng(seed)` as x₀, ε₀, x₁, ε₁, …. In float32, xᵢ is rounded before computing
 * yᵢ = w·xᵢ + b + εᵢ, so |yᵢ − (w·xᵢ + b)| ≤ h holds for the stored x up to the rounding of y.
 */
export function linearRegressionData(options: LinearRegressionDataOptions = {}): Batch {
  const { n = 30, seed = 0, slope = 3, intercept = 2, noise = 0.1, low = 0, high = 1 } = options;
  const dtype = checkDType(options.dtype ?? 'float32', 'linearRegressionData: dtype');
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`linearRegressionData: n must be a non-negative integer, got ${n}`);
  if (!Number.isFinite(noise) || noise < 0) throw new RangeError(`linearRegressionData: noise must be a finite number >= 0, got ${noise}`);
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(low < high)) {
    throw new RangeError(`linearRegressionData: expected finite low < high, got low = ${low}, high = ${high}`);
  }
  if (!Number.isFinite(slope) || !Number.isFinite(intercept)) {
    throw new RangeError(`linearRegressionData: slope and intercept must be finite, got ${slope} and ${intercept}`);
  }
  const rng = new Rng(seed);
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  const x = allocShared(dtype, n);
  const y = allocShared(dtype, n);
  for (let i = 0; i < n; i++) {
    const xi = round(rng.uniform(low, high));
    x[i] = xi;
    y[i] = slope * xi + intercept + rng.uniform(-noise, noise);
  }
  return { x: new Tensor(x, [n, 1]), y: new Tensor(y, [n, 1]) };
}
