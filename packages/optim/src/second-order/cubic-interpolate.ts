/**
 * Minimiser of the cubic interpolating (t₁, f₁, g₁) and (t₂, f₂, g₂) — values f and slopes g of
 * φ(t) = f(x + t·d) — clamped to `[lo, hi]` (default: the interval between t₁ and t₂). With
 * `d₁ = g₁ + g₂ − 3(f₁ − f₂)/(t₁ − t₂)` and `d₂ = √(d₁² − g₁g₂)`, the minimiser is
 * `t₂ − (t₂ − t₁)(g₂ + d₂ − d₁)/(g₂ − g₁ + 2d₂)` (for t₁ ≤ t₂). If the cubic has no minimiser
 * (d₁² < g₁g₂), returns the midpoint of the bounds.
 * Nocedal & Wright, Numerical Optimization, 2nd ed., eq. (3.59); as in torch.optim.lbfgs.
 */
export function cubicInterpolate(
  t1: number,
  f1: number,
  g1: number,
  t2: number,
  f2: number,
  g2: number,
  bounds?: readonly [number, number],
): number {
  const [lo, hi] = bounds ?? (t1 <= t2 ? [t1, t2] : [t2, t1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (t1 - t2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const tMin =
      t1 <= t2 ? t2 - (t2 - t1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : t1 - (t1 - t2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(tMin, lo), hi);
  }
  return (lo + hi) / 2;
}
