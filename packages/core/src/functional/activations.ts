import { fmtShape, normAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { unary } from '../ops/unary.js';
import { where } from '../ops/where.js';

/** Every activation is a composition of primitives (ReLU, sigmoid and tanh are primitives themselves); none has derivative code of its own. */

/** identity(x) = x. */
export const identity = (x: Tensor): Tensor => x;

/**
 * Heaviside step: 1 for x ≥ 0, else 0; derivative 0 everywhere it exists. NaN stays NaN (unlike
 * torch.heaviside, which gives 0), so a NaN input cannot turn into a finite prediction.
 */
export const binaryStep = (x: Tensor): Tensor => where(x.ne(x), x.detach(), x.ge(0));

/** σ(x) = 1 / (1 + e⁻ˣ) (a stable fused primitive). */
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();

/** tanh(x). */
export const tanh = (x: Tensor): Tensor => x.tanh();

/**
 * Soboleva modified tanh: (e^{ax} − e^{−bx}) / (e^{cx} + e^{−dx}). Numerator and denominator are
 * both scaled by e^{−s} with s = max(cx, −dx), which leaves the ratio unchanged (so s is detached)
 * but keeps the exponentials from overflowing to ∞/∞ = NaN for large |x|.
 */
export function sobolevaTanh(x: Tensor, a = 1, b = 1, c = 1, d = 1): Tensor {
  const s = x.mul(c).maximum(x.mul(-d)).detach();
  const num = x.mul(a).sub(s).exp().sub(x.mul(-b).sub(s).exp());
  const den = x.mul(c).sub(s).exp().add(x.mul(-d).sub(s).exp());
  return num.div(den);
}

/** LeCun's scaled tanh: 1.7159 · tanh(2x/3). */
export const lecunTanh = (x: Tensor): Tensor => x.mul(2 / 3).tanh().mul(1.7159);

/**
 * max(0, x), with relu'(0) = 0 as in PyTorch: "0 where x ≤ 0, else x", so that NaN (for which
 * every comparison is false) comes out NaN with the gradient g, as torch.relu and its
 * threshold_backward do. One elementwise primitive (its rule is that `where`), not a comparison
 * and a `where` per call.
 */
export const relu = (x: Tensor): Tensor => unary('relu', x);

/** x for x > 0, αx otherwise (slope α at 0, as torch); NaN gives αx = NaN and the gradient αg, as torch. */
export const leakyRelu = (x: Tensor, alpha = 0.01): Tensor => where(x.gt(0), x, x.mul(alpha));

/** PReLU with a learnable slope α (a tensor broadcast against x). */
export const prelu = (x: Tensor, alpha: Tensor | number): Tensor => where(x.gt(0), x, x.mul(alpha));

/**
 * x for x > 0, α(eˣ − 1) otherwise; elu'(0) = α as in torch. The exponential only sees min(x, 0)
 * (through `where`, not `minimum`, so x = 0 keeps the whole gradient): for large x an unused eˣ = ∞
 * would otherwise turn the branch's zero gradient into 0·∞ = NaN.
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  const pos = x.gt(0);
  return where(pos, x, where(pos, 0, x).exp().sub(1).mul(alpha));
}

/** SELU constants from Klambauer et al. (2017), as in torch.nn.SELU. */
export const SELU_ALPHA = 1.6732632423543772;
export const SELU_SCALE = 1.0507009873554805;

/** λ · elu(x, α) with the self-normalising constants. */
export const selu = (x: Tensor): Tensor => elu(x, SELU_ALPHA).mul(SELU_SCALE);

/**
 * GELU: x·Φ(x) = ½x(1 + erf(x/√2)) (`approximate: 'none'`), or the tanh form
 * ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (`approximate: 'tanh'`), as torch.nn.functional.gelu.
 */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  if (approximate === 'tanh') {
    const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(inner.tanh().add(1)).mul(0.5);
  }
  return x.mul(x.mul(Math.SQRT1_2).erf().add(1)).mul(0.5);
}

/** SiLU / swish: x · σ(x). */
export const silu = (x: Tensor): Tensor => x.mul(x.sigmoid());

/** Gaussian bump: exp(−x²). */
export const gaussian = (x: Tensor): Tensor => x.mul(x).neg().exp();

/**
 * softplus(x) = log(1 + eˣ)/β·β, computed as max(x, 0) + log1p(e^{−|x|}) so it never overflows;
 * with β ≠ 1: softplus(βx)/β.
 */
export function softplus(x: Tensor, beta = 1): Tensor {
  const z = beta === 1 ? x : x.mul(beta);
  const y = z.maximum(0).add(z.abs().neg().exp().log1p());
  return beta === 1 ? y : y.div(beta);
}

/** softmax along `axis`: e^{x − max} / Σ e^{x − max} (the shift keeps ±1000 finite). */
export function softmax(x: Tensor, axis = -1): Tensor {
  axis = normAxis(axis, x.ndim, 'softmax');
  const e = x.sub(x.max(axis, true).detach()).exp();
  return e.div(e.sum(axis, true));
}

/** log-softmax along `axis`: (x − m) − log Σ e^{x − m}, exact for large inputs. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  axis = normAxis(axis, x.ndim, 'logSoftmax');
  const s = x.sub(x.max(axis, true).detach());
  return s.sub(s.exp().sum(axis, true).log());
}

/** log Σ eˣ along `axis`, stable. */
export function logSumExp(x: Tensor, axis = -1, keepDims = false): Tensor {
  axis = normAxis(axis, x.ndim, 'logSumExp');
  const m = x.max(axis, true).detach();
  const y = x.sub(m).exp().sum(axis, true).log().add(m);
  return keepDims ? y : y.squeeze(axis);
}

/**
 * Maxout: splits `axis` into groups of `pieces` consecutive units and keeps each group's maximum
 * ([..., k·pieces] → [..., k]). At ties the gradient goes to the first maximal unit, as
 * `x.view(..., k, pieces).max(-1).values` does in PyTorch.
 */
export function maxout(x: Tensor, pieces: number, axis = -1): Tensor {
  const ax = normAxis(axis, x.ndim, 'maxout');
  const n = x.shape[ax]!;
  if (!Number.isInteger(pieces) || pieces < 1 || n % pieces !== 0) {
    throw new RangeError(`maxout: axis ${ax} of shape ${fmtShape(x.shape)} (${n} units) is not divisible into groups of ${pieces}`);
  }
  const grouped = x.reshape([...x.shape.slice(0, ax), n / pieces, pieces, ...x.shape.slice(ax + 1)]);
  const idx = grouped.argmax(ax + 1, true);
  return grouped.gather(ax + 1, idx).squeeze(ax + 1);
}
