import { assertNotCapturing } from '../autograd/capture.js';
import { allocShared } from '../dtype.js';
import { fmtShape } from '../shape.js';
import { Tensor } from '../tensor.js';

export interface LstsqOptions {
  /** Ridge (Tikhonov) penalty λ ≥ 0 added as λ‖W‖² (default 0). */
  ridge?: number;
  /**
   * 'qr' (default): Householder QR of [A; √λ·I], which keeps the conditioning of A rather than its
   * square. 'cholesky': the normal equations (AᵀA + λI) W = AᵀB, solved by Cholesky.
   */
  method?: 'qr' | 'cholesky';
}

/**
 * Linear least squares in float64: W = argmin ‖A·W − B‖² + λ‖W‖² for A [N, m] and B [N, o] (or
 * [N], giving W [m]). Not differentiable: it reads the values of A and B and returns a new tensor.
 * Throws when the problem has no unique solution (rank-deficient A and λ = 0).
 * Reference: Golub & Van Loan, "Matrix Computations" (4th ed.), §5.2 (Householder QR), §4.2 (Cholesky).
 */
export function lstsq(A: Tensor, B: Tensor, { ridge = 0, method = 'qr' }: LstsqOptions = {}): Tensor {
  if (!(A instanceof Tensor) || !(B instanceof Tensor)) throw new TypeError('lstsq: A and B must be Tensors');
  assertNotCapturing('lstsq (a direct solver in JavaScript)');
  if (A.ndim !== 2) throw new RangeError(`lstsq: A must have shape [N, m], got ${fmtShape(A.shape)}`);
  if ((B.ndim !== 1 && B.ndim !== 2) || B.shape[0] !== A.shape[0]) {
    throw new RangeError(`lstsq: B must have shape [N] or [N, o] with N = ${A.shape[0]} (the rows of A ${fmtShape(A.shape)}), got ${fmtShape(B.shape)}`);
  }
  if (!(ridge >= 0) || !Number.isFinite(ridge)) throw new RangeError(`lstsq: ridge must be finite and ≥ 0, got ${ridge}`);
  if (method !== 'qr' && method !== 'cholesky') throw new RangeError(`lstsq: method must be 'qr' or 'cholesky', got ${JSON.stringify(method)}`);
  for (const [name, t] of [['A', A], ['B', B]] as const) {
    for (let i = 0; i < t.size; i++) if (!Number.isFinite(t.data[i]!)) throw new RangeError(`lstsq: ${name} has a non-finite element ${t.data[i]} at ${i}`);
  }
  const [n, m] = A.shape as [number, number];
  const o = B.ndim === 2 ? B.shape[1]! : 1;
  const w = method === 'qr' ? solveQR(A.data, B.data, n, m, o, ridge) : solveCholesky(A.data, B.data, n, m, o, ridge);
  const out = new Tensor(allocShared('float64', m * o), B.ndim === 2 ? [m, o] : [m]);
  out.data.set(w);
  return out;
}

function solveQR(a0: ArrayLike<number>, b0: ArrayLike<number>, n: number, m: number, o: number, ridge: number): Float64Array {
  // The ridge term is m extra rows √λ·I (and zero targets) under A.
  const rows = ridge > 0 ? n + m : n;
  if (rows < m) throw new RangeError(`lstsq: A has ${n} rows but ${m} columns, so the solution is not unique; pass ridge > 0`);
  const a = new Float64Array(rows * m);
  const b = new Float64Array(rows * o);
  for (let i = 0; i < n * m; i++) a[i] = a0[i]!;
  for (let i = 0; i < n * o; i++) b[i] = b0[i]!;
  for (let j = 0; j < m && ridge > 0; j++) a[(n + j) * m + j] = Math.sqrt(ridge);
  const diag = new Float64Array(m);
  const v = new Float64Array(rows);
  for (let j = 0; j < m; j++) {
    let norm = 0;
    for (let i = j; i < rows; i++) norm += a[i * m + j]! ** 2;
    norm = Math.sqrt(norm);
    // Reflect column j onto −sign(a_jj)·‖·‖·e_j; the sign avoids cancellation in v₀.
    const alpha = a[j * m + j]! > 0 ? -norm : norm;
    diag[j] = alpha;
    if (norm === 0) continue;
    let vv = 0;
    for (let i = j; i < rows; i++) {
      v[i] = a[i * m + j]! - (i === j ? alpha : 0);
      vv += v[i]! ** 2;
    }
    if (vv === 0) continue;
    const reflect = (x: Float64Array, cols: number, from: number) => {
      for (let c = from; c < cols; c++) {
        let s = 0;
        for (let i = j; i < rows; i++) s += v[i]! * x[i * cols + c]!;
        s = (2 * s) / vv;
        for (let i = j; i < rows; i++) x[i * cols + c]! -= s * v[i]!;
      }
    };
    reflect(a, m, j + 1);
    reflect(b, o, 0);
  }
  checkRank(diag, rows, m);
  // Back substitution R·W = (QᵀB)[0:m].
  const w = new Float64Array(m * o);
  for (let c = 0; c < o; c++) {
    for (let j = m - 1; j >= 0; j--) {
      let s = b[j * o + c]!;
      for (let t = j + 1; t < m; t++) s -= a[j * m + t]! * w[t * o + c]!;
      w[j * o + c] = s / diag[j]!;
    }
  }
  return w;
}

function checkRank(diag: Float64Array, rows: number, m: number): void {
  const big = diag.reduce((s, x) => Math.max(s, Math.abs(x)), 0);
  const tol = Math.max(rows, m) * Number.EPSILON * big;
  diag.forEach((r, j) => {
    if (!(Math.abs(r) > tol)) {
      throw new RangeError(`lstsq: A is rank-deficient (pivot ${j} is ${r}, tolerance ${tol.toExponential(2)}); pass ridge > 0`);
    }
  });
}

function solveCholesky(a: ArrayLike<number>, b: ArrayLike<number>, n: number, m: number, o: number, ridge: number): Float64Array {
  // G = AᵀA + λI (lower triangle used), c = AᵀB.
  const g = new Float64Array(m * m);
  const c = new Float64Array(m * o);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < m; i++) {
      const ai = a[r * m + i]!;
      for (let j = 0; j <= i; j++) g[i * m + j]! += ai * a[r * m + j]!;
      for (let t = 0; t < o; t++) c[i * o + t]! += ai * b[r * o + t]!;
    }
  }
  for (let i = 0; i < m; i++) g[i * m + i]! += ridge;
  // In place: G = L·Lᵀ.
  for (let j = 0; j < m; j++) {
    let d = g[j * m + j]!;
    for (let t = 0; t < j; t++) d -= g[j * m + t]! ** 2;
    if (!(d > 0)) throw new RangeError(`lstsq: AᵀA + λI is not positive definite (pivot ${j} is ${d}); A is rank-deficient, pass ridge > 0`);
    const l = Math.sqrt(d);
    g[j * m + j] = l;
    for (let i = j + 1; i < m; i++) {
      let s = g[i * m + j]!;
      for (let t = 0; t < j; t++) s -= g[i * m + t]! * g[j * m + t]!;
      g[i * m + j] = s / l;
    }
  }
  // Forward (L·z = c) then backward (Lᵀ·W = z) substitution.
  for (let t = 0; t < o; t++) {
    for (let i = 0; i < m; i++) {
      let s = c[i * o + t]!;
      for (let k = 0; k < i; k++) s -= g[i * m + k]! * c[k * o + t]!;
      c[i * o + t] = s / g[i * m + i]!;
    }
    for (let i = m - 1; i >= 0; i--) {
      let s = c[i * o + t]!;
      for (let k = i + 1; k < m; k++) s -= g[k * m + i]! * c[k * o + t]!;
      c[i * o + t] = s / g[i * m + i]!;
    }
  }
  return c;
}
