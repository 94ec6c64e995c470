import { describe, expect, it } from 'vitest';
import { cubicInterpolate } from './cubic-interpolate.js';

describe('cubicInterpolate', () => {
  it('recovers the minimiser of a cubic from two points (either order)', () => {
    // φ(t) = t³ − 6t² + 9t: local minimum at t = 3.
    const phi = (t: number) => t ** 3 - 6 * t ** 2 + 9 * t;
    const dphi = (t: number) => 3 * t ** 2 - 12 * t + 9;
    expect(cubicInterpolate(2, phi(2), dphi(2), 4, phi(4), dphi(4))).toBeCloseTo(3, 12);
    expect(cubicInterpolate(4, phi(4), dphi(4), 2, phi(2), dphi(2))).toBeCloseTo(3, 12);
  });
  it('recovers the minimiser of a quadratic', () => {
    const phi = (t: number) => (t - 2) ** 2;
    expect(cubicInterpolate(0, phi(0), -4, 3, phi(3), 2)).toBeCloseTo(2, 12);
  });
  it('clamps to the bounds', () => {
    const phi = (t: number) => (t - 2) ** 2;
    expect(cubicInterpolate(0, phi(0), -4, 1, phi(1), -2, [1.01, 1.5])).toBe(1.5);
  });
  it('returns the midpoint of the bounds when the cubic has no minimiser', () => {
    // slopes −1 at both ends and a drop of 2/3: the interpolating cubic is monotone (d₁ = 0, d₁² < g₁g₂)
    expect(cubicInterpolate(0, 0, -1, 1, -2 / 3, -1, [1, 3])).toBe(2);
  });
});
