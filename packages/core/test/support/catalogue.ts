/**
 * Every primitive op, method, activation and loss as a differentiable function of random float64
 * inputs, shared by the gradcheck and forward-mode tests. Inputs are drawn with `randn` from a
 * seeded `Rng` and shifted away from the kinks of non-differentiable functions (by ≥ 0.1, far more
 * than the finite-difference step).
 */
import { concat, F, gather, maximum, minimum, randn, Rng, scatterAdd, stack, type Tensor, tensor, where } from '../../src/index.js';

export interface Case {
  name: string;
  /** The function of the differentiable inputs (anything else is a constant captured here). */
  f: (...xs: Tensor[]) => Tensor;
  /** Fresh inputs (float64). */
  inputs: () => Tensor[];
  /** Finite-difference step (default 1e-6); only linear maps use a larger one. */
  eps?: number;
  /** True when the derivative is 0 everywhere (step functions): the check is then that it is. */
  zeroDerivative?: boolean;
  /** True when the function rounds through float32 on the way (casts): not a float64 computation. */
  float32Inside?: boolean;
}

let seedCounter = 1000;
const nextSeed = () => seedCounter++;

/** Standard normal samples, float64, from a fresh seeded generator. */
export function rn(shape: number[], seed = nextSeed()): Tensor {
  return randn(shape, { rng: new Rng(seed), dtype: 'float64' });
}

/** Positive samples ≥ lo: |N(0,1)| + lo. */
export function pos(shape: number[], lo = 0.5, seed = nextSeed()): Tensor {
  const x = rn(shape, seed);
  for (let i = 0; i < x.size; i++) x.data[i] = Math.abs(x.data[i]!) + lo;
  return x;
}

/** Samples at distance ≥ gap from `from`: from + sign(z)(|z| + gap). */
export function away(shape: number[], from = 0, gap = 0.1, seed = nextSeed()): Tensor {
  const x = rn(shape, seed);
  for (let i = 0; i < x.size; i++) {
    const z = x.data[i]!;
    x.data[i] = from + (z >= 0 ? 1 : -1) * (Math.abs(z) + gap);
  }
  return x;
}

/** `b` with |b − a| ≥ gap everywhere (broadcast from `a` when shapes agree). */
export function apart(a: Tensor, gap = 0.2, seed = nextSeed()): Tensor {
  const d = away(a.shape, 0, gap, seed);
  for (let i = 0; i < d.size; i++) d.data[i] = a.data[i]! + d.data[i]!;
  return d;
}

/** `x` with every element moved to distance ≥ gap from each of `points` (in place; returns x). */
export function avoid(x: Tensor, points: number[], gap = 0.1): Tensor {
  for (let i = 0; i < x.size; i++) {
    for (const p of points) {
      const d = x.data[i]! - p;
      if (Math.abs(d) < gap) x.data[i] = p + (d >= 0 ? gap : -gap);
    }
  }
  return x;
}

/** Uniform samples in (lo, hi). */
export function unif(shape: number[], lo: number, hi: number, seed = nextSeed()): Tensor {
  const rng = new Rng(seed);
  const x = rn(shape, seed);
  for (let i = 0; i < x.size; i++) x.data[i] = lo + (hi - lo) * rng.next();
  return x;
}

const f64 = (v: number[] | number[][]) => tensor(v, { dtype: 'float64' });

// ---------------------------------------------------------------------------------- primitives
const binaryCases: Case[] = [
  { name: 'add [3,4] + [3,4]', f: (a, b) => a.add(b), inputs: () => [rn([3, 4]), rn([3, 4])] },
  { name: 'add [2,3,4] + [3,1] (broadcast)', f: (a, b) => a.add(b), inputs: () => [rn([2, 3, 4]), rn([3, 1])] },
  { name: 'add tensor + number', f: (a) => a.add(1.5), inputs: () => [rn([5])] },
  { name: 'sub [4] − [2,4] (broadcast)', f: (a, b) => a.sub(b), inputs: () => [rn([4]), rn([2, 4])] },
  { name: 'sub 0-d − [3]', f: (a, b) => a.sub(b), inputs: () => [rn([]), rn([3])] },
  { name: 'mul [3,4] · [3,4]', f: (a, b) => a.mul(b), inputs: () => [rn([3, 4]), rn([3, 4])] },
  { name: 'mul [2,1,3] · [4,1] (broadcast)', f: (a, b) => a.mul(b), inputs: () => [rn([2, 1, 3]), rn([4, 1])] },
  { name: 'mul x · x (same tensor twice)', f: (a) => a.mul(a), inputs: () => [rn([6])] },
  { name: 'div [3,4] / [3,4]', f: (a, b) => a.div(b), inputs: () => [rn([3, 4]), away([3, 4], 0, 0.5)] },
  { name: 'div [3,4] / [4] (broadcast)', f: (a, b) => a.div(b), inputs: () => [rn([3, 4]), away([4], 0, 0.5)] },
  { name: 'div number / tensor', f: (b) => tensor(2, { dtype: 'float64' }).div(b), inputs: () => [away([5], 0, 0.5)] },
  { name: 'pow a^b (both args)', f: (a, b) => a.pow(b), inputs: () => [pos([3, 4]), rn([3, 4])] },
  { name: 'pow [3,4]^[4] (broadcast, both args)', f: (a, b) => a.pow(b), inputs: () => [pos([3, 4]), rn([4])] },
  { name: 'pow x^3 (negative bases)', f: (a) => a.pow(3), inputs: () => [rn([6])] },
  { name: 'pow x^0.5', f: (a) => a.pow(0.5), inputs: () => [pos([6])] },
  { name: 'pow 2.5^x (number base)', f: (b) => tensor(2.5, { dtype: 'float64' }).pow(b), inputs: () => [rn([6])] },
  { name: 'maximum (away from ties)', f: (a, b) => a.maximum(b), inputs: () => { const a = rn([3, 4]); return [a, apart(a)]; } },
  {
    name: 'maximum [3,4] vs [4] (broadcast, away from ties)',
    f: (a, b) => maximum(a, b),
    inputs: () => {
      const b = f64([-0.7, 0.1, 0.4, 1.3]);
      const a = rn([3, 4]);
      for (let i = 0; i < a.size; i++) a.data[i] = avoid(f64([a.data[i]!]), [b.data[i % 4]!], 0.2).data[0]!;
      return [a, b];
    },
  },
  { name: 'minimum (away from ties)', f: (a, b) => a.minimum(b), inputs: () => { const a = rn([3, 4]); return [a, apart(a)]; } },
  { name: 'minimum [3,4] vs number', f: (a) => minimum(a, 0.25), inputs: () => [away([3, 4], 0.25)] },
];

const unaryCases: Case[] = [
  { name: 'neg', f: (x) => x.neg(), inputs: () => [rn([3, 4])] },
  { name: 'exp', f: (x) => x.exp(), inputs: () => [rn([3, 4])] },
  { name: 'log', f: (x) => x.log(), inputs: () => [pos([3, 4], 0.2)] },
  { name: 'log1p', f: (x) => x.log1p(), inputs: () => [pos([3, 4], -0.5)] },
  { name: 'sqrt', f: (x) => x.sqrt(), inputs: () => [pos([3, 4], 0.2)] },
  { name: 'abs (away from 0)', f: (x) => x.abs(), inputs: () => [away([3, 4])] },
  { name: 'sin', f: (x) => x.sin(), inputs: () => [rn([3, 4])] },
  { name: 'cos', f: (x) => x.cos(), inputs: () => [rn([3, 4])] },
  { name: 'tanh', f: (x) => x.tanh(), inputs: () => [rn([3, 4])] },
  { name: 'sigmoid', f: (x) => x.sigmoid(), inputs: () => [rn([3, 4]).mul(3)] },
  { name: 'erf', f: (x) => x.erf(), inputs: () => [rn([3, 4]).mul(1.5)] },
  { name: 'erf (tails, |x| in 2.5..6)', f: (x) => x.erf(), inputs: () => [f64([-5.5, -3.2, -2.6, -2.4, 2.4, 2.6, 3.2, 4.1, 5.9])] },
  { name: 'square', f: (x) => x.square(), inputs: () => [rn([3, 4])] },
  { name: 'relu method (away from 0)', f: (x) => x.relu(), inputs: () => [away([3, 4])] },
  { name: 'sign (derivative 0)', f: (x) => x.sign(), inputs: () => [away([3, 4])], zeroDerivative: true },
  {
    name: 'comparisons gt ge lt le eq ne (derivative 0)',
    f: (a, b) => a.gt(b).add(a.ge(b).mul(2)).add(a.lt(b).mul(4)).add(a.le(b).mul(8)).add(a.eq(b).mul(16)).add(a.ne(b).mul(32)),
    inputs: () => { const a = rn([3, 4]); return [a, apart(a)]; },
    zeroDerivative: true,
  },
  { name: 'argmax / argmin (derivative 0)', f: (x) => x.argmax(1, true).add(x.argmin(0, true)), inputs: () => [rn([3, 4])], zeroDerivative: true },
];

const matmulCases: Case[] = [
  { name: 'matmul 2-D [3,4]@[4,5]', f: (a, b) => a.matmul(b), inputs: () => [rn([3, 4]), rn([4, 5])] },
  { name: 'matmul batched 3-D [2,3,4]@[2,4,5]', f: (a, b) => a.matmul(b), inputs: () => [rn([2, 3, 4]), rn([2, 4, 5])] },
  { name: 'matmul broadcast batch [2,1,3,4]@[3,4,2]', f: (a, b) => a.matmul(b), inputs: () => [rn([2, 1, 3, 4]), rn([3, 4, 2])] },
  { name: 'matmul 3-D @ 2-D [2,3,4]@[4,5]', f: (a, b) => a.matmul(b), inputs: () => [rn([2, 3, 4]), rn([4, 5])] },
  { name: 'matmul 2-D @ 3-D [3,4]@[2,4,5]', f: (a, b) => a.matmul(b), inputs: () => [rn([3, 4]), rn([2, 4, 5])] },
  { name: 'matmul vector @ matrix [4]@[4,5]', f: (a, b) => a.matmul(b), inputs: () => [rn([4]), rn([4, 5])] },
  { name: 'matmul matrix @ vector [3,4]@[4]', f: (a, b) => a.matmul(b), inputs: () => [rn([3, 4]), rn([4])] },
  { name: 'matmul vector @ vector [4]@[4]', f: (a, b) => a.matmul(b), inputs: () => [rn([4]), rn([4])] },
  { name: 'matmul vector @ batch [4]@[2,4,3]', f: (a, b) => a.matmul(b), inputs: () => [rn([4]), rn([2, 4, 3])] },
  { name: 'matmul batch @ vector [2,3,4]@[4]', f: (a, b) => a.matmul(b), inputs: () => [rn([2, 3, 4]), rn([4])] },
  { name: 'matmul x @ xᵀ (same tensor twice)', f: (a) => a.matmul(a.T), inputs: () => [rn([3, 4])] },
  { name: 'F.linear [3,4] · W[5,4]ᵀ + b[5]', f: (x, w, b) => F.linear(x, w, b), inputs: () => [rn([3, 4]), rn([5, 4]), rn([5])] },
  { name: 'F.linear [2,3,4] · W[2,4]ᵀ (no bias)', f: (x, w) => F.linear(x, w), inputs: () => [rn([2, 3, 4]), rn([2, 4])] },
  { name: 'F.linear vector [4] · W[3,4]ᵀ + b[3]', f: (x, w, b) => F.linear(x, w, b), inputs: () => [rn([4]), rn([3, 4]), rn([3])] },
];

type Axes = number | number[] | null;
const AXES: Axes[] = [null, 0, 1, -1, [0, 2], [1, 2]];
const reductionCases: Case[] = [];
for (const op of ['sum', 'mean', 'max', 'min', 'var', 'std'] as const) {
  for (const axes of AXES) {
    for (const keep of [false, true]) {
      reductionCases.push({
        name: `${op}(axes ${JSON.stringify(axes)}, keepDims ${keep}) of [3,4,5]`,
        f: (x) => x[op](axes, keep),
        inputs: () => [rn([3, 4, 5])],
      });
    }
  }
}
reductionCases.push(
  { name: 'var(axis 1, correction 0)', f: (x) => x.var(1, false, 0), inputs: () => [rn([3, 4])] },
  { name: 'std(all, correction 0)', f: (x) => x.std(null, false, 0), inputs: () => [rn([3, 4])] },
  { name: 'sum of a 0-d tensor', f: (x) => x.sum(), inputs: () => [rn([])] },
  { name: 'max over axes of size 1', f: (x) => x.max(1), inputs: () => [rn([3, 1, 2])] },
);

const layoutCases: Case[] = [
  { name: 'reshape [3,4] → [2,6]', f: (x) => x.reshape([2, 6]), inputs: () => [rn([3, 4])] },
  { name: 'reshape [2,3,4] → [-1, 2]', f: (x) => x.reshape([-1, 2]).mul(x.reshape([-1, 2])), inputs: () => [rn([2, 3, 4])] },
  { name: 'flatten(1) [2,3,4]', f: (x) => x.flatten(1), inputs: () => [rn([2, 3, 4])] },
  { name: 'transpose() [3,4]', f: (x) => x.transpose(), inputs: () => [rn([3, 4])] },
  { name: 'transpose(0, 2) [2,3,4]', f: (x) => x.transpose(0, 2), inputs: () => [rn([2, 3, 4])] },
  { name: '.T of [2,3,4]', f: (x) => x.T, inputs: () => [rn([2, 3, 4])] },
  { name: 'permute [2,0,1]', f: (x) => x.permute([2, 0, 1]), inputs: () => [rn([2, 3, 4])] },
  { name: 'permute [1,3,0,2] of 4-D', f: (x) => x.permute([1, 3, 0, 2]), inputs: () => [rn([2, 3, 2, 3])] },
  { name: 'expand [3,1] → [2,3,4]', f: (x) => x.expand([2, 3, 4]), inputs: () => [rn([3, 1])] },
  { name: 'expand [4] → [3,4]', f: (x) => x.expand([3, 4]), inputs: () => [rn([4])] },
  { name: 'expandDims(1) [3,4]', f: (x) => x.expandDims(1), inputs: () => [rn([3, 4])] },
  { name: 'expandDims(-1) [3,4]', f: (x) => x.expandDims(-1), inputs: () => [rn([3, 4])] },
  { name: 'squeeze() [3,1,4,1]', f: (x) => x.squeeze(), inputs: () => [rn([3, 1, 4, 1])] },
  { name: 'squeeze(1) [3,1,4,1]', f: (x) => x.squeeze(1), inputs: () => [rn([3, 1, 4, 1])] },
  { name: 'slice [1:3, :-1] of [4,5]', f: (x) => x.slice([1, null], [3, -1]), inputs: () => [rn([4, 5])] },
  { name: 'slice [-2:, 1:, 2:3] of [3,4,5]', f: (x) => x.slice([-2, 1, 2], [null, null, 3]), inputs: () => [rn([3, 4, 5])] },
  { name: 'narrow(1, 1, 2) of [3,4]', f: (x) => x.narrow(1, 1, 2), inputs: () => [rn([3, 4])] },
  { name: 'narrow(0, 2, 1) of [3,4]', f: (x) => x.narrow(0, 2, 1), inputs: () => [rn([3, 4])] },
  { name: 'narrow(1, 1, 2) of [2,3,4,5] (runs of 2·4·5)', f: (x) => x.narrow(1, 1, 2), inputs: () => [rn([2, 3, 4, 5])] },
  { name: 'slice [:, 1:3, :, 1:] of [2,3,2,3] (runs of 2)', f: (x) => x.slice([null, 1, null, 1], [null, 3]), inputs: () => [rn([2, 3, 2, 3])] },
  { name: 'gather(1, idx) with repeated indices', f: (x) => x.gather(1, f64([[0, 0, 3], [2, 1, 2], [3, 3, 3]])), inputs: () => [rn([3, 4])] },
  { name: 'gather(0, idx) [3,4] → [2,4]', f: (x) => gather(x, 0, f64([[2, 0, 1, 2], [0, 0, 2, 1]])), inputs: () => [rn([3, 4])] },
  { name: 'scatterAdd([3,4], 1, idx, src)', f: (s) => scatterAdd([3, 4], 1, f64([[0, 0], [3, 1], [2, 2]]), s), inputs: () => [rn([3, 2])] },
  { name: 'concat of 3 along axis 1', f: (a, b, c) => concat([a, b, c], 1), inputs: () => [rn([2, 1]), rn([2, 3]), rn([2, 2])] },
  { name: 'concat along axis 0 (same tensor twice)', f: (a, b) => concat([a, b, a], 0), inputs: () => [rn([2, 3]), rn([1, 3])] },
  { name: 'stack along axis 1', f: (a, b) => stack([a, b], 1), inputs: () => [rn([2, 3]), rn([2, 3])] },
  { name: 'stack along axis 0', f: (a, b, c) => stack([a, b, c]), inputs: () => [rn([4]), rn([4]), rn([4])] },
  {
    name: 'where(cond, a, b) with broadcasting',
    f: (a, b) => where(f64([[1, 0, 0, 1], [0, 1, 1, 0], [1, 1, 0, 0]]), a, b),
    inputs: () => [rn([3, 4]), rn([4])],
  },
  { name: 'where(cond, a, number)', f: (a) => where(f64([1, 0, 1, 0, 1]), a, -2), inputs: () => [rn([5])] },
  { name: 'where(cond, number, b)', f: (b) => where(f64([1, 0, 1, 0, 1]), 3, b), inputs: () => [rn([5])] },
  { name: 'clip(-0.5, 0.5) (away from the bounds)', f: (x) => x.clip(-0.5, 0.5), inputs: () => [avoid(rn([4, 5]), [-0.5, 0.5])] },
  { name: 'clip(null, 0.3)', f: (x) => x.clip(null, 0.3), inputs: () => [away([12], 0.3)] },
  { name: 'clip(0, null)', f: (x) => x.clip(0, null), inputs: () => [away([12], 0)] },
  // cast is linear, so central differences are exact up to rounding at any step: the large step
  // keeps float32 rounding (~6e-8) far below the tolerance.
  { name: 'cast float64 → float32 → float64', f: (x) => x.cast('float32').cast('float64').mul(x), inputs: () => [rn([3, 4])], eps: 0.5, float32Inside: true },
  { name: 'cast float64 → float32', f: (x) => x.cast('float32'), inputs: () => [rn([3, 4])], eps: 0.5, float32Inside: true },
  { name: 'mixed dtypes: float32 · float64', f: (x) => x.mul(x.cast('float32')), inputs: () => [rn([3, 4])], eps: 0.5, float32Inside: true },
];

export const PRIMITIVE_CASES: Case[] = [...binaryCases, ...unaryCases, ...matmulCases, ...reductionCases, ...layoutCases];

// ---------------------------------------------------------------------------------- activations
export const ACTIVATION_CASES: Case[] = [
  { name: 'identity', f: (x) => F.identity(x).mul(1), inputs: () => [rn([3, 4])] },
  { name: 'binaryStep (derivative 0)', f: (x) => F.binaryStep(x), inputs: () => [away([3, 4])], zeroDerivative: true },
  { name: 'sigmoid', f: (x) => F.sigmoid(x), inputs: () => [rn([3, 4]).mul(3)] },
  { name: 'tanh', f: (x) => F.tanh(x), inputs: () => [rn([3, 4])] },
  { name: 'sobolevaTanh(1,1,1,1)', f: (x) => F.sobolevaTanh(x), inputs: () => [rn([3, 4]).mul(2)] },
  { name: 'sobolevaTanh(1,0.5,1,1)', f: (x) => F.sobolevaTanh(x, 1, 0.5, 1, 1), inputs: () => [rn([3, 4]).mul(2)] },
  { name: 'sobolevaTanh(2,1,1.5,0.5)', f: (x) => F.sobolevaTanh(x, 2, 1, 1.5, 0.5), inputs: () => [rn([3, 4])] },
  { name: 'lecunTanh', f: (x) => F.lecunTanh(x), inputs: () => [rn([3, 4]).mul(2)] },
  { name: 'relu', f: (x) => F.relu(x), inputs: () => [away([3, 4])] },
  { name: 'leakyRelu(0.01)', f: (x) => F.leakyRelu(x), inputs: () => [away([3, 4])] },
  { name: 'leakyRelu(0.2)', f: (x) => F.leakyRelu(x, 0.2), inputs: () => [away([3, 4])] },
  { name: 'prelu(x, 0.25)', f: (x) => F.prelu(x, 0.25), inputs: () => [away([3, 4])] },
  { name: 'prelu(x, α [4]) w.r.t. x and α', f: (x, a) => F.prelu(x, a), inputs: () => [away([3, 4]), unif([4], 0.05, 0.5)] },
  { name: 'elu(1)', f: (x) => F.elu(x), inputs: () => [away([3, 4])] },
  { name: 'elu(0.7)', f: (x) => F.elu(x, 0.7), inputs: () => [away([3, 4])] },
  { name: 'selu', f: (x) => F.selu(x), inputs: () => [away([3, 4])] },
  { name: 'gelu (erf)', f: (x) => F.gelu(x), inputs: () => [rn([3, 4]).mul(2)] },
  { name: 'gelu (tanh)', f: (x) => F.gelu(x, 'tanh'), inputs: () => [rn([3, 4]).mul(2)] },
  { name: 'silu', f: (x) => F.silu(x), inputs: () => [rn([3, 4]).mul(2)] },
  { name: 'gaussian', f: (x) => F.gaussian(x), inputs: () => [rn([3, 4])] },
  { name: 'softplus', f: (x) => F.softplus(x), inputs: () => [away([3, 4]).mul(2)] },
  { name: 'softplus(β = 2)', f: (x) => F.softplus(x, 2), inputs: () => [away([3, 4])] },
  { name: 'softmax(axis -1)', f: (x) => F.softmax(x), inputs: () => [rn([3, 4]).mul(2)] },
  { name: 'softmax(axis 0)', f: (x) => F.softmax(x, 0), inputs: () => [rn([3, 4]).mul(2)] },
  { name: 'softmax at large inputs [1000, 999.5, -1000, 0]', f: (x) => F.softmax(x), inputs: () => [f64([[1000, 999.5, -1000, 0], [-1000, -999, -1001, -1000.5]])] },
  { name: 'logSoftmax(axis -1)', f: (x) => F.logSoftmax(x), inputs: () => [rn([3, 4]).mul(2)] },
  { name: 'logSoftmax(axis 0)', f: (x) => F.logSoftmax(x, 0), inputs: () => [rn([3, 4]).mul(2)] },
  { name: 'logSoftmax at large inputs', f: (x) => F.logSoftmax(x), inputs: () => [f64([[1000, 999.5, -1000, 0], [-1000, -999, -1001, -1000.5]])] },
  { name: 'logSumExp(axis -1)', f: (x) => F.logSumExp(x), inputs: () => [rn([3, 4]).mul(2)] },
  { name: 'logSumExp(axis 0, keepDims)', f: (x) => F.logSumExp(x, 0, true), inputs: () => [rn([3, 4]).mul(2)] },
  { name: 'logSumExp at large inputs', f: (x) => F.logSumExp(x), inputs: () => [f64([[1000, 999.5, -1000, 0], [-1000, -999, -1001, -1000.5]])] },
  { name: 'maxout(2) [3,6]', f: (x) => F.maxout(x, 2), inputs: () => [rn([3, 6])] },
  { name: 'maxout(3, axis 0) [6,2]', f: (x) => F.maxout(x, 3, 0), inputs: () => [rn([6, 2])] },
];

// ---------------------------------------------------------------------------------- losses
const REDUCTIONS = ['mean', 'sum', 'none'] as const;
export const LOSS_CASES: Case[] = [];
for (const r of REDUCTIONS) {
  LOSS_CASES.push(
    { name: `mse (${r}) w.r.t. input and target`, f: (a, b) => F.mse(a, b, r), inputs: () => [rn([4, 3]), rn([4, 3])] },
    { name: `mae (${r}) w.r.t. input and target`, f: (a, b) => F.mae(a, b, r), inputs: () => { const b = rn([4, 3]); return [apart(b, 0.1), b]; } },
    {
      name: `huber δ=1 (${r}) w.r.t. input and target`,
      f: (a, b) => F.huber(a, b, 1, r),
      inputs: () => { const b = rn([4, 3]); return [b.add(away([4, 3], 0, 0.05).mul(1.5)), b]; },
    },
    {
      name: `huber δ=0.5 (${r})`,
      f: (a, b) => F.huber(a, b, 0.5, r),
      inputs: () => { const b = rn([4, 3]); return [b.add(away([4, 3], 0, 0.05)), b]; },
    },
    { name: `bce (${r}) w.r.t. probabilities and targets`, f: (p, y) => F.bce(p, y, r), inputs: () => [unif([6], 0.05, 0.95), unif([6], 0, 1)] },
    { name: `bceWithLogits (${r}) w.r.t. logits and targets`, f: (x, y) => F.bceWithLogits(x, y, r), inputs: () => [rn([2, 3]).mul(3), unif([2, 3], 0, 1)] },
    { name: `crossEntropy with labels (${r})`, f: (x) => F.crossEntropy(x, [0, 3, 1, 1, 2], r), inputs: () => [rn([5, 4]).mul(2)] },
    {
      name: `crossEntropy with probability targets (${r}) w.r.t. logits and targets`,
      f: (x, p) => F.crossEntropy(x, p, r),
      inputs: () => [rn([5, 4]).mul(2), F.softmax(rn([5, 4]))],
    },
    { name: `nll of logSoftmax (${r})`, f: (x) => F.nll(F.logSoftmax(x), [2, 0, 1], r), inputs: () => [rn([3, 4])] },
    { name: `nll of raw log-probabilities (${r})`, f: (x) => F.nll(x, f64([2, 0, 1]), r), inputs: () => [rn([3, 4])] },
  );
}
const tdReward = f64([1, -0.5, 0.25, 2]);
const tdDone = f64([0, 0, 1, 0]);
const tdQNext = rn([4, 3]);
LOSS_CASES.push(
  { name: 'tdError w.r.t. q (γ = 0.9)', f: (q) => F.tdError(q, [2, 0, 1, 1], tdReward, tdQNext, 0.9), inputs: () => [rn([4, 3])] },
  { name: 'tdError w.r.t. q with done flags', f: (q) => F.tdError(q, [0, 1, 2, 0], tdReward, tdQNext, 0.99, tdDone), inputs: () => [rn([4, 3])] },
  { name: 'tdError² mean w.r.t. q', f: (q) => F.tdError(q, [0, 1, 2, 0], tdReward, tdQNext, 0.5).square().mean(), inputs: () => [rn([4, 3])] },
);
