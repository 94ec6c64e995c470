import type { FloatArray } from './dtype.js';
import { binaryKernel, unaryKernel } from './kernels/codegen.js';
import { gemm, gemmBatched } from './kernels/matmul.js';
import type { Shape } from './shape.js';

/** Unary elementwise kernels every backend provides. */
export const UNARY_OPS = {
  neg: '-x',
  exp: 'Math.exp(x)',
  log: 'Math.log(x)',
  log1p: 'Math.log1p(x)',
  sqrt: 'Math.sqrt(x)',
  abs: 'Math.abs(x)',
  sign: 'x > 0 ? 1 : x < 0 ? -1 : 0',
  sin: 'Math.sin(x)',
  cos: 'Math.cos(x)',
  tanh: 'Math.tanh(x)',
  // Numerically stable logistic: never evaluates exp of a large positive number.
  sigmoid: 'x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))',
  erf: 'erf(x)',
  // `x <= 0`, not `x > 0`: NaN stays NaN, as torch.relu; -0 gives +0.
  relu: 'x <= 0 ? 0 : x',
} as const;
export type UnaryOp = keyof typeof UNARY_OPS;

/** Binary broadcasting kernels every backend provides. */
export const BINARY_OPS = {
  add: 'x + y',
  sub: 'x - y',
  mul: 'x * y',
  div: 'x / y',
  pow: 'Math.pow(x, y)',
  // NaN wins (`x !== x` is the NaN test), as torch.maximum / torch.minimum propagate it.
  maximum: 'x >= y || x !== x ? x : y',
  minimum: 'x <= y || x !== x ? x : y',
  gt: 'x > y ? 1 : 0',
  ge: 'x >= y ? 1 : 0',
  lt: 'x < y ? 1 : 0',
  le: 'x <= y ? 1 : 0',
  eq: 'x === y ? 1 : 0',
  ne: 'x !== y ? 1 : 0',
} as const;
export type BinaryOp = keyof typeof BINARY_OPS;

/**
 * The kernels behind the ops. A faster backend (WebAssembly SIMD, native) can replace this one
 * with `setBackend`; ops only ever call these methods.
 */
export interface Backend {
  readonly name: string;
  unary(op: UnaryOp, x: FloatArray, out: FloatArray, n: number): void;
  binary(op: BinaryOp, a: FloatArray, b: FloatArray, out: FloatArray, outShape: Shape, sa: readonly number[], sb: readonly number[]): void;
  /** C_i = A_i · B_i for i < batch; row-major; strides in elements between batch items (0 broadcasts). */
  matmul(
    batch: number,
    m: number,
    n: number,
    k: number,
    a: FloatArray,
    strideA: number,
    b: FloatArray,
    strideB: number,
    c: FloatArray,
  ): void;
  /**
   * C = A · Bᵀ for row-major A [m, k] and B [n, k] (B read transposed, not copied): what
   * `F.linear` computes with a weight [out, in]. Optional; without it `F.linear` transposes the
   * weight and calls `matmul`.
   */
  matmulNT?(m: number, n: number, k: number, a: FloatArray, b: FloatArray, c: FloatArray): void;
}

/**
 * erf(x) by Abramowitz–Stegun 7.1.26 is only 1e-7 accurate; this uses the series for |x| < 2.5
 * and a continued fraction for the tail, both accurate to ~1e-15.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series: erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1))
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return x > 0 ? 1 : -1;
  // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))) (Lentz)
  let f = ax;
  let c = ax;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = ax + an * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = ax + an / c;
    if (c === 0) c = 1e-300;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x > 0 ? 1 - erfc : erfc - 1;
}

function makeTypeScriptBackend(): Backend {
  const unary = new Map<string, (x: FloatArray, out: FloatArray, n: number) => void>();
  for (const [op, expr] of Object.entries(UNARY_OPS)) {
    if (op === 'erf') {
      unary.set(op, (x, out, n) => {
        for (let i = 0; i < n; i++) out[i] = erf(x[i]!);
      });
    } else unary.set(op, unaryKernel(expr));
  }
  const binary = new Map(Object.entries(BINARY_OPS).map(([op, expr]) => [op, binaryKernel(expr)]));
  return {
    name: 'typescript',
    unary: (op, x, out, n) => unary.get(op)!(x, out, n),
    binary: (op, a, b, out, shape, sa, sb) => binary.get(op)!(a, b, out, shape, sa, sb),
    matmul: (batch, m, n, k, a, sA, b, sB, c) => gemmBatched(batch, m, n, k, a, 0, sA, b, 0, sB, c, 0, m * n),
    matmulNT: (m, n, k, a, b, c) => gemm(m, n, k, a, 0, b, 0, c, 0, false, true),
  };
}

let current: Backend = makeTypeScriptBackend();

/** The backend the ops run on. */
export function getBackend(): Backend {
  return current;
}

/** Replaces the backend (returns the previous one). */
export function setBackend(b: Backend): Backend {
  const prev = current;
  current = b;
  return prev;
}
