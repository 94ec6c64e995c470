import { type ArrayTree, Rng } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { applyUpdates, type GradientTransformation, momentum, nesterov, sgd } from '../src/index.js';

/**
 * The lectures' worked example ("Gradient descent algorithms"): N = 30 samples of
 * y = 3x + 2 + U(−0.1, 0.1), model ρ(x) = θᵀ[1, x] with θ = (b, w), θ₀ = (10, 5), α = 0.005,
 * 1000 full-batch iterations; the lecture reports θ₁₀₀₀ = (1.9882, 2.9975) for gradient descent,
 * (1.9837, 2.9933) for momentum β = 0.6 and (1.9738, 2.9914) for Nesterov β = 0.8.
 *
 * Data convention (the slides give neither the x range nor the reduction): x ~ U(0, 1) and the
 * noise from core's `Rng(7)`, x first then the noise for each sample; the loss is the lecture's ℓ2
 * loss (yᵢ − ρ(xᵢ))² summed over the 30 samples. With the mean instead of the sum, α = 0.005 is
 * 30 times smaller and plain gradient descent is still ~0.5 away after 1000 iterations (asserted
 * below), which contradicts the lecture's table; with the sum all three methods converge, to the
 * least-squares fit of this sample, (b, w) = (2.0154, 2.9727).
 */
const N = 30;
const rng = new Rng(7);
const xs: number[] = [];
const ys: number[] = [];
for (let i = 0; i < N; i++) {
  const x = rng.uniform(0, 1);
  xs.push(x);
  ys.push(3 * x + 2 + rng.uniform(-0.1, 0.1));
}

/** ∇θ Σ (θ₀ + θ₁xᵢ − yᵢ)², divided by N when `mean`. */
function grad(theta: ArrayLike<number>, mean = false): Float64Array {
  let gb = 0;
  let gw = 0;
  for (let i = 0; i < N; i++) {
    const r = theta[0]! + theta[1]! * xs[i]! - ys[i]!;
    gb += 2 * r;
    gw += 2 * r * xs[i]!;
  }
  return mean ? Float64Array.of(gb / N, gw / N) : Float64Array.of(gb, gw);
}

function train(t: GradientTransformation<unknown[]>, mean = false): Float64Array[] {
  let p: ArrayTree = { theta: Float64Array.of(10, 5) };
  let s = t.init(p);
  const path = [p.theta as Float64Array];
  for (let k = 0; k < 1000; k++) {
    const [u, next] = t.update({ theta: grad(p.theta!, mean) }, s, p);
    p = applyUpdates(p, u);
    s = next;
    path.push(p.theta as Float64Array);
  }
  return path;
}

/** The ordinary least-squares solution of the data, via the 2×2 normal equations. */
function leastSquares(): [number, number] {
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < N; i++) {
    sx += xs[i]!;
    sy += ys[i]!;
    sxx += xs[i]! * xs[i]!;
    sxy += xs[i]! * ys[i]!;
  }
  const det = N * sxx - sx * sx;
  return [(sxx * sy - sx * sxy) / det, (N * sxy - sx * sy) / det];
}

const alpha = 0.005;
const runs = {
  'gradient descent': train(sgd({ lr: alpha })),
  'momentum β = 0.6': train(momentum(alpha, 0.6)),
  'Nesterov β = 0.8': train(nesterov(alpha, 0.8)),
};

describe('lecture example: linear regression by gradient descent', () => {
  const ls = leastSquares();

  for (const [name, path] of Object.entries(runs)) {
    it(`${name} ends within 0.05 of (b, w) = (2, 3), at the least-squares fit`, () => {
      const [b, w] = path[1000]!;
      expect(Math.abs(b! - 2)).toBeLessThan(0.05);
      expect(Math.abs(w! - 3)).toBeLessThan(0.05);
      expect(Math.abs(b! - ls[0])).toBeLessThan(1e-6);
      expect(Math.abs(w! - ls[1])).toBeLessThan(1e-6);
    });
  }

  it("momentum is the lecture's v ← βv − α∇J(θ), θ ← θ + v", () => {
    const beta = 0.6;
    let theta = [10, 5];
    let v = [0, 0];
    const path = runs['momentum β = 0.6'];
    for (let k = 0; k < 1000; k++) {
      const g = grad(theta);
      v = [beta * v[0]! - alpha * g[0]!, beta * v[1]! - alpha * g[1]!];
      theta = [theta[0]! + v[0]!, theta[1]! + v[1]!];
      const p = path[k + 1]!;
      expect(Math.abs(p[0]! - theta[0]!) + Math.abs(p[1]! - theta[1]!)).toBeLessThan(1e-12);
    }
  });

  it("Nesterov is the lecture's v ← βv − α∇J(θ + βv), θ ← θ + v, seen at the look-ahead θ + βv", () => {
    const beta = 0.8;
    let theta = [10, 5];
    let v = [0, 0];
    const path = runs['Nesterov β = 0.8'];
    for (let k = 0; k < 1000; k++) {
      const g = grad([theta[0]! + beta * v[0]!, theta[1]! + beta * v[1]!]);
      v = [beta * v[0]! - alpha * g[0]!, beta * v[1]! - alpha * g[1]!];
      theta = [theta[0]! + v[0]!, theta[1]! + v[1]!];
      const p = path[k + 1]!;
      const err = Math.abs(p[0]! - (theta[0]! + beta * v[0]!)) + Math.abs(p[1]! - (theta[1]! + beta * v[1]!));
      expect(err).toBeLessThan(1e-12);
    }
  });

  it('with the mean-reduced loss gradient descent would not reach the lecture’s numbers', () => {
    const [b, w] = train(sgd({ lr: alpha }), true)[1000]!;
    expect(Math.hypot(b! - 2, w! - 3)).toBeGreaterThan(0.3);
  });
});
