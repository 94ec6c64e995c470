import { type Tensor, tensor } from '@actorgrad/core';
import { describe, expect, it } from 'vitest';
import { ROSENBROCK_START, rosenbrock, rosenbrockHessian, rosenbrockTensor } from '../../test/rosenbrock.js';
import { hessianFromTensorFn, hessianVectorProductFromTensorFn, objectiveFromTensorFn } from './autodiff.js';
import { minimize } from './minimize.js';
import { newton } from './newton.js';

/** |a − b| ≤ tol·max(1, |b|) elementwise. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-12): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i]! - want[i]!);
    if (!(err <= tol * Math.max(1, Math.abs(want[i]!)))) throw new Error(`[${i}]: ${got[i]} vs ${want[i]} (error ${err})`);
  }
}

const points = [
  [-1.2, 1],
  [0, 0],
  [2, 2],
  [0.5, -1],
  [-2, 3],
  [1.1, 1.3],
  [1, 1],
];

describe('autodiff helpers on Rosenbrock written with core tensor ops', () => {
  const objective = objectiveFromTensorFn(rosenbrockTensor);
  const hess = hessianFromTensorFn(rosenbrockTensor);
  const hv = hessianVectorProductFromTensorFn(rosenbrockTensor);

  it('objectiveFromTensorFn: loss and gradient equal the analytic ones (1e-12)', () => {
    for (const p of points) {
      const x = Float64Array.from(p);
      const got = objective(x);
      const want = rosenbrock(x);
      expectClose([got.loss], [want.loss]);
      expect(got.grad).toBeInstanceOf(Float64Array);
      expectClose(got.grad, want.grad);
      expect([...x]).toEqual(p); // x untouched
    }
  });
  it('hessianFromTensorFn: the Hessian equals the analytic one (1e-12), n×n row-major', () => {
    for (const p of points) {
      const x = Float64Array.from(p);
      const h = hess(x);
      expect(h).toBeInstanceOf(Float64Array);
      expectClose(h, rosenbrockHessian(x));
    }
  });
  it('hessianVectorProductFromTensorFn: H·v equals the analytic Hessian times v (1e-12)', () => {
    for (const p of points) {
      const x = Float64Array.from(p);
      const h = rosenbrockHessian(x);
      for (const v of [Float64Array.of(1, 0), Float64Array.of(0, 1), Float64Array.of(0.3, -1.7)]) {
        expectClose(hv(x, v), [h[0] * v[0] + h[1] * v[1], h[2] * v[0] + h[3] * v[1]]);
      }
    }
  });
  it('newton with the autodiff objective and Hessian reaches (1, 1) within 1e-6 from (−1.2, 1), as the analytic one does', () => {
    const r = minimize(objective, ROSENBROCK_START, newton({ hessian: hess, tol: 1e-9 }));
    expect(r.converged).toBe(true);
    expect(Math.abs(r.x[0] - 1)).toBeLessThan(1e-6);
    expect(Math.abs(r.x[1] - 1)).toBeLessThan(1e-6);
    expect(r.loss).toBeLessThan(1e-12);
    const analytic = minimize(rosenbrock, ROSENBROCK_START, newton({ hessian: rosenbrockHessian, tol: 1e-9 }));
    expect(r.iterations).toBe(analytic.iterations); // 21, as Nocedal & Wright report
    expectClose(r.x, analytic.x, 1e-9);
  });
});

describe('autodiff helpers on a quadratic ½xᵀAx − bᵀx (x of shape [4, 1])', () => {
  // SPD A (diagonally dominant), minimiser x* = A⁻¹b chosen first and b = A·x*.
  const n = 4;
  const aRows = [
    [4, 1, 0.5, 0],
    [1, 3, 0.2, -0.4],
    [0.5, 0.2, 2, 0.1],
    [0, -0.4, 0.1, 1.5],
  ];
  const xStar = [0.5, -1, 2, 0.25];
  const bVals = aRows.map((row) => row.reduce((s, aij, j) => s + aij * xStar[j]!, 0));
  const A = tensor(aRows, { dtype: 'float64' });
  const b = tensor(bVals.map((v) => [v]), { dtype: 'float64' });
  const quadratic = (x: Tensor) => x.transpose().matmul(A.matmul(x)).mul(0.5).sub(b.transpose().matmul(x)).sum();
  const shape = [n, 1];

  it('the gradient is A·x − b and the Hessian is A', () => {
    const x = Float64Array.of(1, 2, -3, 0.5);
    const { loss, grad } = objectiveFromTensorFn(quadratic, shape)(x);
    const ax = aRows.map((row) => row.reduce((s, aij, j) => s + aij * x[j]!, 0));
    expectClose([loss], [0.5 * ax.reduce((s, v, i) => s + v * x[i]!, 0) - bVals.reduce((s, v, i) => s + v * x[i]!, 0)]);
    expectClose(grad, ax.map((v, i) => v - bVals[i]!));
    expectClose(hessianFromTensorFn(quadratic, shape)(x), aRows.flat(), 1e-15);
  });
  it('newton with the autodiff Hessian converges in one step', () => {
    const r = minimize(
      objectiveFromTensorFn(quadratic, shape),
      [10, -10, 5, 3],
      newton({ hessian: hessianFromTensorFn(quadratic, shape), tol: 1e-10 }),
    );
    expect(r.iterations).toBe(1);
    expect(r.converged).toBe(true);
    expectClose(r.x, xStar, 1e-12);
  });
});

describe('autodiff helpers: errors', () => {
  it('name the helper and the mismatch', () => {
    expect(() => objectiveFromTensorFn(rosenbrockTensor, [3])(Float64Array.of(1, 2))).toThrow(
      'objectiveFromTensorFn: x has 2 elements but shape [3] holds 3',
    );
    expect(() => hessianVectorProductFromTensorFn(rosenbrockTensor)(Float64Array.of(1, 2), Float64Array.of(1))).toThrow(
      'hessianVectorProductFromTensorFn: v has length 1, expected 2 (the length of x)',
    );
    expect(() => objectiveFromTensorFn((x) => x.cast('float32').sum())(Float64Array.of(1, 2))).toThrow(
      'objectiveFromTensorFn: the loss is float32, expected float64',
    );
    expect(() => hessianFromTensorFn(42 as unknown as (x: Tensor) => Tensor)).toThrow(
      'hessianFromTensorFn: f must be a function (x: Tensor) => Tensor, got number',
    );
  });
});
