import { dot } from './vector.js';

/**
 * The L-BFGS two-loop recursion: `d = −H·∇f` where H is the inverse-Hessian approximation built
 * from the pairs `(s_i, y_i)` (oldest first), `ρ_i = 1/(y_iᵀs_i)`, starting from `H₀ = hDiag·I`:
 * first loop (newest → oldest) `α_i = ρ_i·s_iᵀq`, `q ← q − α_i·y_i` from `q = −∇f`; then `r = hDiag·q`;
 * second loop (oldest → newest) `β_i = ρ_i·y_iᵀr`, `r ← r + (α_i − β_i)·s_i`.
 * Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithm 7.4.
 */
export function lbfgsDirection(
  grad: Float64Array,
  steps: readonly Float64Array[],
  gradDiffs: readonly Float64Array[],
  rho: readonly number[],
  hDiag: number,
): Float64Array {
  const m = steps.length;
  const n = grad.length;
  const alpha = new Array<number>(m);
  const q = new Float64Array(n);
  for (let j = 0; j < n; j++) q[j] = -grad[j];
  for (let i = m - 1; i >= 0; i--) {
    alpha[i] = dot(steps[i], q) * rho[i];
    const y = gradDiffs[i];
    for (let j = 0; j < n; j++) q[j] += -alpha[i] * y[j];
  }
  const r = q;
  for (let j = 0; j < n; j++) r[j] = q[j] * hDiag;
  for (let i = 0; i < m; i++) {
    const b = dot(gradDiffs[i], r) * rho[i];
    const s = steps[i];
    for (let j = 0; j < n; j++) r[j] += (alpha[i] - b) * s[j];
  }
  return r;
}
