export interface EighResult {
  /** Eigenvalues λ₀ ≤ λ₁ ≤ … ≤ λₙ₋₁ (ascending, as numpy.linalg.eigh). */
  values: Float64Array;
  /** Row-major n×n V whose column k is the unit eigenvector of λₖ: A = V diag(λ) Vᵀ, VᵀV = I. */
  vectors: Float64Array;
}

export interface EighOptions {
  /** Stop when the off-diagonal Frobenius norm is at most `tol`·‖A‖_F (default 1e-15). */
  tol?: number;
  /** Give up (and throw) after this many sweeps (default 100; a few suffice in practice). */
  maxSweeps?: number;
}

/**
 * Eigendecomposition of a real symmetric n×n matrix (row-major `a`, not modified) by the cyclic
 * Jacobi method: sweep over the pairs p < q, each time applying the plane rotation J(p, q, θ) with
 * A ← JᵀAJ that zeroes a_pq — t = tan θ = sgn(τ)/(|τ| + √(τ² + 1)), τ = (a_qq − a_pp)/(2a_pq),
 * c = 1/√(1 + t²), s = t·c — and accumulating V ← VJ, until the off-diagonal part vanishes.
 * Convergence is quadratic; the cost is O(n³) per sweep, meant for covariance matrices of up to a
 * few hundred features. Computed in float64.
 * Reference: Golub & Van Loan, "Matrix Computations", 4th ed., §8.5 (the classical Jacobi method).
 */
export function eigh(a: Float64Array | readonly number[], n: number, options: EighOptions = {}): EighResult {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`eigh: n must be a non-negative integer, got ${n}`);
  if (a.length !== n * n) throw new RangeError(`eigh: expected ${n * n} entries for a ${n}×${n} matrix, got ${a.length}`);
  const { tol = 1e-15, maxSweeps = 100 } = options;
  const m = Float64Array.from(a);
  checkSymmetric(m, n);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;

  let frob = 0;
  for (let i = 0; i < m.length; i++) frob += m[i]! * m[i]!;
  const limit = tol * tol * frob;
  let sweep = 0;
  for (; ; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * m[p * n + q]! * m[p * n + q]!;
    if (off <= limit) break;
    if (sweep >= maxSweeps) {
      throw new Error(`eigh: no convergence after ${maxSweeps} sweeps (off-diagonal norm ${Math.sqrt(off)}, expected <= ${Math.sqrt(limit)})`);
    }
    for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) rotate(m, v, n, p, q);
  }

  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = m[i * n + i]!;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => values[i]! - values[j]!);
  const sortedValues = Float64Array.from(order, (k) => values[k]!);
  const vectors = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) vectors[r * n + c] = v[r * n + order[c]!]!;
  return { values: sortedValues, vectors };
}

/** One Jacobi rotation in the (p, q) plane: A ← JᵀAJ with a_pq → 0, V ← VJ. */
function rotate(m: Float64Array, v: Float64Array, n: number, p: number, q: number): void {
  const apq = m[p * n + q]!;
  if (apq === 0) return;
  const app = m[p * n + p]!;
  const aqq = m[q * n + q]!;
  const tau = (aqq - app) / (2 * apq);
  // The smaller root of t² + 2τt − 1 = 0 keeps the rotation angle ≤ π/4 (stability);
  // for huge τ, t ≈ 1/(2τ) avoids overflow in τ².
  const t = Math.abs(tau) > 1e150 ? 1 / (2 * tau) : Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(tau * tau + 1));
  const c = 1 / Math.sqrt(1 + t * t);
  const s = t * c;
  for (let k = 0; k < n; k++) {
    // columns p and q of A·J
    const akp = m[k * n + p]!;
    const akq = m[k * n + q]!;
    m[k * n + p] = c * akp - s * akq;
    m[k * n + q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    // rows p and q of Jᵀ·(A·J)
    const apk = m[p * n + k]!;
    const aqk = m[q * n + k]!;
    m[p * n + k] = c * apk - s * aqk;
    m[q * n + k] = s * apk + c * aqk;
  }
  m[p * n + q] = 0;
  m[q * n + p] = 0;
  for (let k = 0; k < n; k++) {
    const vkp = v[k * n + p]!;
    const vkq = v[k * n + q]!;
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}

function checkSymmetric(m: Float64Array, n: number): void {
  let scale = 0;
  for (let i = 0; i < m.length; i++) {
    if (!Number.isFinite(m[i]!)) throw new RangeError(`eigh: entries must be finite, got a[${Math.floor(i / n)}, ${i % n}] = ${m[i]}`);
    scale = Math.max(scale, Math.abs(m[i]!));
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const x = m[i * n + j]!;
      const y = m[j * n + i]!;
      if (Math.abs(x - y) > 1e-12 * scale) throw new RangeError(`eigh: matrix is not symmetric: a[${i}, ${j}] = ${x} but a[${j}, ${i}] = ${y}`);
      // Average away rounding-level asymmetry so the rotations see an exactly symmetric matrix.
      m[i * n + j] = (x + y) / 2;
      m[j * n + i] = (x + y) / 2;
    }
  }
}
