/**
 * Cholesky factorisation `A = L·Lᵀ` of a symmetric n×n matrix (row-major; only the lower
 * triangle is read). Returns the lower-triangular `L` (row-major, upper part zero), or `null` if
 * `A` is not (numerically) positive definite. Golub & Van Loan, Matrix Computations, Alg. 4.2.1.
 */
export function cholesky(a: Float64Array, n: number, shift = 0): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let diag = a[j * n + j] + shift;
    for (let k = 0; k < j; k++) diag -= l[j * n + k] * l[j * n + k];
    if (!(diag > 0)) return null;
    const ljj = Math.sqrt(diag);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** Solve `L·Lᵀ·x = b` by forward then backward substitution. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/**
 * Cholesky with added multiple of the identity: the smallest shift `τ` of the sequence
 * `τ₀, max(2τ₀, β), …` (doubling) for which `A + τI` is positive definite, where
 * `τ₀ = max(τ_min, 0)` if every diagonal entry of A is positive, else `max(τ_min, β − min_i a_ii)`.
 * Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithm 3.3. Throws after 100 doublings
 * (a non-finite matrix).
 */
export function choleskyWithShift(
  a: Float64Array,
  n: number,
  tauMin = 0,
  beta = 1e-3,
): { l: Float64Array; tau: number } {
  let minDiag = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) minDiag = Math.min(minDiag, a[i * n + i]);
  let tau = minDiag > 0 ? Math.max(tauMin, 0) : Math.max(tauMin, beta - minDiag);
  for (let attempt = 0; attempt < 100; attempt++) {
    const l = cholesky(a, n, tau);
    if (l) return { l, tau };
    tau = Math.max(2 * tau, beta);
  }
  throw new Error(`choleskyWithShift: no positive-definite shift found (last tau ${tau}); is the matrix finite?`);
}
