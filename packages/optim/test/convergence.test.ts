import type { ArrayTree } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import {
  adadelta,
  adagrad,
  adam,
  adamax,
  adamw,
  applyUpdates,
  type GradientTransformation,
  momentum,
  nadam,
  nesterov,
  radam,
  rmsprop,
  sgd,
} from '../src/index.js';

/**
 * One table runs every first-order alias on two problems and asserts ‖x − x*‖₂ <= tol after the
 * stated number of full-gradient steps (float64):
 * - quadratic f(x) = ½xᵀAx − bᵀx, A = [[3, 1], [1, 2]] (eigenvalues 1.38, 3.62), b = (1, −1),
 *   x* = A⁻¹b = (0.6, −0.8), from x₀ = (3, 2);
 * - Rosenbrock f(x, y) = (1 − x)² + 100(y − x²)², x* = (1, 1), from the classic x₀ = (−1.2, 1).
 * Learning rates were picked per optimiser so that each genuinely converges; a few rows use an
 * exponentially decaying schedule η₀γᵗ (sign-like steps of RMSProp, AdaDelta and NAdam otherwise
 * hover at a distance ~η from the minimum). AdamW runs with weightDecay 0: decoupled decay moves
 * the fixed point away from x*.
 */
interface Problem {
  name: string;
  x0: [number, number];
  xStar: [number, number];
  grad(x: Float64Array): [number, number];
}

const quadratic: Problem = {
  name: 'quadratic',
  x0: [3, 2],
  xStar: [0.6, -0.8],
  grad: (x) => [3 * x[0]! + x[1]! - 1, x[0]! + 2 * x[1]! + 1],
};

const rosenbrock: Problem = {
  name: 'rosenbrock',
  x0: [-1.2, 1],
  xStar: [1, 1],
  grad: (x) => [-2 * (1 - x[0]!) - 400 * x[0]! * (x[1]! - x[0]! * x[0]!), 200 * (x[1]! - x[0]! * x[0]!)],
};

const decay = (lr0: number, gamma: number) => (t: number) => lr0 * gamma ** t;

type Make = () => GradientTransformation<unknown[]>;
interface Row {
  name: string;
  problem: Problem;
  make: Make;
  /** The optimiser as written in the table, for the test title. */
  config: string;
  steps: number;
  tol: number;
}

const rows: Row[] = [
  // quadratic
  { name: 'sgd', problem: quadratic, config: 'sgd({lr: 0.2})', make: () => sgd({ lr: 0.2 }), steps: 200, tol: 1e-10 },
  { name: 'momentum', problem: quadratic, config: 'momentum(0.05, 0.9)', make: () => momentum(0.05, 0.9), steps: 500, tol: 1e-10 },
  { name: 'nesterov', problem: quadratic, config: 'nesterov(0.05, 0.9)', make: () => nesterov(0.05, 0.9), steps: 500, tol: 1e-10 },
  { name: 'adagrad', problem: quadratic, config: 'adagrad({lr: 1})', make: () => adagrad({ lr: 1 }), steps: 500, tol: 1e-10 },
  { name: 'adadelta', problem: quadratic, config: 'adadelta({lr: 1, γ 0.9995})', make: () => adadelta({ lr: decay(1, 0.9995) }), steps: 3000, tol: 1e-10 },
  { name: 'rmsprop', problem: quadratic, config: 'rmsprop({lr: 0.01})', make: () => rmsprop({ lr: 0.01 }), steps: 1000, tol: 1e-10 },
  { name: 'adam', problem: quadratic, config: 'adam({lr: 0.1})', make: () => adam({ lr: 0.1 }), steps: 1000, tol: 1e-10 },
  { name: 'adamw', problem: quadratic, config: 'adamw({lr: 0.1, weightDecay: 0})', make: () => adamw({ lr: 0.1, weightDecay: 0 }), steps: 1000, tol: 1e-10 },
  { name: 'adamax', problem: quadratic, config: 'adamax({lr: 0.1})', make: () => adamax({ lr: 0.1 }), steps: 1000, tol: 1e-10 },
  { name: 'nadam', problem: quadratic, config: 'nadam({lr: 0.1})', make: () => nadam({ lr: 0.1 }), steps: 1000, tol: 1e-10 },
  { name: 'radam', problem: quadratic, config: 'radam({lr: 0.1})', make: () => radam({ lr: 0.1 }), steps: 1000, tol: 1e-10 },
  // Rosenbrock
  { name: 'sgd', problem: rosenbrock, config: 'sgd({lr: 1e-3})', make: () => sgd({ lr: 1e-3 }), steps: 50000, tol: 1e-8 },
  { name: 'momentum', problem: rosenbrock, config: 'momentum(5e-4, 0.9)', make: () => momentum(5e-4, 0.9), steps: 20000, tol: 1e-10 },
  { name: 'nesterov', problem: rosenbrock, config: 'nesterov(5e-4, 0.9)', make: () => nesterov(5e-4, 0.9), steps: 20000, tol: 1e-10 },
  { name: 'adagrad', problem: rosenbrock, config: 'adagrad({lr: 0.5})', make: () => adagrad({ lr: 0.5 }), steps: 20000, tol: 1e-6 },
  { name: 'adadelta', problem: rosenbrock, config: 'adadelta({lr: 1, γ 0.9995})', make: () => adadelta({ lr: decay(1, 0.9995) }), steps: 20000, tol: 1e-5 },
  { name: 'rmsprop', problem: rosenbrock, config: 'rmsprop({lr: 0.01, γ 0.9995})', make: () => rmsprop({ lr: decay(0.01, 0.9995) }), steps: 20000, tol: 1e-6 },
  { name: 'adam', problem: rosenbrock, config: 'adam({lr: 3e-3})', make: () => adam({ lr: 3e-3 }), steps: 20000, tol: 1e-6 },
  { name: 'adamw', problem: rosenbrock, config: 'adamw({lr: 3e-3, weightDecay: 0})', make: () => adamw({ lr: 3e-3, weightDecay: 0 }), steps: 20000, tol: 1e-6 },
  { name: 'adamax', problem: rosenbrock, config: 'adamax({lr: 3e-3})', make: () => adamax({ lr: 3e-3 }), steps: 20000, tol: 1e-6 },
  { name: 'nadam', problem: rosenbrock, config: 'nadam({lr: 0.01, γ 0.9998})', make: () => nadam({ lr: decay(0.01, 0.9998) }), steps: 20000, tol: 1e-5 },
  { name: 'radam', problem: rosenbrock, config: 'radam({lr: 3e-3})', make: () => radam({ lr: 3e-3 }), steps: 20000, tol: 1e-6 },
];

function distance(row: Row): number {
  const t = row.make();
  let params: ArrayTree = { x: Float64Array.from(row.problem.x0) };
  let state = t.init(params);
  for (let k = 0; k < row.steps; k++) {
    const [updates, next] = t.update({ x: Float64Array.from(row.problem.grad(params.x as Float64Array)) }, state, params);
    params = applyUpdates(params, updates);
    state = next;
  }
  const x = params.x!;
  return Math.hypot(x[0]! - row.problem.xStar[0], x[1]! - row.problem.xStar[1]);
}

describe('convergence of every first-order optimiser', () => {
  it('covers every alias on both problems', () => {
    const names = ['sgd', 'momentum', 'nesterov', 'adagrad', 'adadelta', 'rmsprop', 'adam', 'adamw', 'adamax', 'nadam', 'radam'];
    for (const p of [quadratic, rosenbrock]) {
      expect(rows.filter((r) => r.problem === p).map((r) => r.name)).toEqual(names);
    }
  });

  for (const row of rows) {
    it(`${row.problem.name}: ${row.config} reaches ‖x − x*‖ <= ${row.tol} in ${row.steps} steps`, () => {
      expect(distance(row)).toBeLessThanOrEqual(row.tol);
    });
  }
});
