import { normAxes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { where } from './where.js';

type Axes = number | readonly number[] | null | undefined;

/** Number of elements reduced over `axes`. */
function count(x: Tensor, axes: Axes): number {
  return normAxes(axes, x.ndim, 'mean').reduce((n, a) => n * x.shape[a]!, 1);
}

/** Mean over axes: Σx / n. */
export function mean(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return x.sum(axes, keepDims).div(count(x, axes));
}

/** Variance over axes: Σ(x − x̄)² / (n − correction); correction 1 (Bessel) by default, as torch.var. */
export function variance(x: Tensor, axes?: Axes, keepDims = false, correction = 1): Tensor {
  const d = x.sub(mean(x, axes, true));
  return d.mul(d).sum(axes, keepDims).div(Math.max(count(x, axes) - correction, 0));
}

/**
 * Standard deviation over axes: √variance (correction as `variance`). Where the variance is
 * exactly 0 (all reduced values equal) the gradient is 0, as torch.std's backward masks it
 * (`std_backward`: grad / (2·std), masked to 0 where std = 0), rather than 0 · ∞ = NaN. The mask
 * is written with `where` twice (the square root only ever sees 1 there), so the forward-mode
 * tangent and the derivatives of the derivative (hvp) are 0 there too, never NaN.
 */
export function std(x: Tensor, axes?: Axes, keepDims = false, correction = 1): Tensor {
  const v = variance(x, axes, keepDims, correction);
  const zero = v.eq(0);
  return where(zero, 0, where(zero, 1, v).sqrt());
}

/** Clamps to [min, max]; the gradient is 1 inside and on the bounds, 0 outside (as torch.clamp). */
export function clip(x: Tensor, min: number | null, max: number | null): Tensor {
  if (Number.isNaN(min) || Number.isNaN(max)) throw new RangeError(`clip: bounds must be numbers or null, got min ${min}, max ${max}`);
  if (min !== null && max !== null && min > max) throw new RangeError(`clip: min ${min} is greater than max ${max}`);
  let y = x;
  if (min !== null) y = where(x.lt(min), min, y);
  if (max !== null) y = where(x.gt(max), max, y);
  return y;
}
