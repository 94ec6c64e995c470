import type { Tensor } from '../tensor.js';
import { binary } from './binary.js';
import { unary } from './unary.js';
import type { TensorLike } from './util.js';

export { argmax, max, min, sum } from './reduce.js';
export { cast, expand, expandDims, permute, reshape, squeeze, transpose } from './layout.js';
export { narrow, slice } from './slice.js';
export { gather, scatterAdd } from './gather.js';
export { concat, stack } from './concat.js';
export { matmul } from './matmul.js';
export { where } from './where.js';
export { clip, mean, std, variance } from './compose.js';
export { unbroadcast, type TensorLike } from './util.js';

/** a + b (broadcasting). */
export const add = (a: TensorLike, b: TensorLike): Tensor => binary('add', a, b);
/** a − b (broadcasting). */
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary('sub', a, b);
/** a · b elementwise (broadcasting). */
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary('mul', a, b);
/** a / b (broadcasting). */
export const div = (a: TensorLike, b: TensorLike): Tensor => binary('div', a, b);
/** aᵇ (broadcasting). */
export const pow = (a: TensorLike, b: TensorLike): Tensor => binary('pow', a, b);
/** Elementwise maximum; at ties each side gets half the gradient (torch.maximum). */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary('maximum', a, b);
/** Elementwise minimum; at ties each side gets half the gradient (torch.minimum). */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary('minimum', a, b);
export const gt = (a: TensorLike, b: TensorLike): Tensor => binary('gt', a, b);
export const ge = (a: TensorLike, b: TensorLike): Tensor => binary('ge', a, b);
export const lt = (a: TensorLike, b: TensorLike): Tensor => binary('lt', a, b);
export const le = (a: TensorLike, b: TensorLike): Tensor => binary('le', a, b);
export const eq = (a: TensorLike, b: TensorLike): Tensor => binary('eq', a, b);
export const ne = (a: TensorLike, b: TensorLike): Tensor => binary('ne', a, b);
export const neg = (x: Tensor): Tensor => unary('neg', x);
export const exp = (x: Tensor): Tensor => unary('exp', x);
export const log = (x: Tensor): Tensor => unary('log', x);
/** log(1 + x), accurate for small x. */
export const log1p = (x: Tensor): Tensor => unary('log1p', x);
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
/** |x|, with derivative sign(x) (0 at 0, as torch). */
export const abs = (x: Tensor): Tensor => unary('abs', x);
/** sign(x) ∈ {−1, 0, 1}; its derivative is 0. */
export const sign = (x: Tensor): Tensor => unary('sign', x);
export const sin = (x: Tensor): Tensor => unary('sin', x);
export const cos = (x: Tensor): Tensor => unary('cos', x);
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
/** The Gauss error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt. */
export const erf = (x: Tensor): Tensor => unary('erf', x);
