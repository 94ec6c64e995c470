/**
 * The Rosenbrock function f(x, y) = (1 − x)² + 100(y − x²)², minimum 0 at (1, 1), classic start
 * (−1.2, 1): a curved narrow valley (Nocedal & Wright §2, Rosenbrock 1960). As a tensor function
 * for core's autodiff, and with analytic gradient and Hessian (the cross-check, and the objective of
 * the first-order suites).
 */
import type { Tensor } from '@actorgrad/core';

/** The classic starting point (−1.2, 1). */
export const ROSENBROCK_START: readonly [number, number] = [-1.2, 1];

/** f(x, y) = (1 − x)² + 100(y − x²)². */
export function rosenbrockLoss(x: number, y: number): number {
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}

/** Loss and gradient ∇f = (−2(1 − x) − 400x(y − x²), 200(y − x²)), as an `Objective`. */
export function rosenbrock(p: Float64Array): { loss: number; grad: Float64Array } {
  const [x, y] = p;
  const r = y - x * x;
  return { loss: rosenbrockLoss(x, y), grad: Float64Array.of(-2 * (1 - x) - 400 * x * r, 200 * r) };
}

/** Hessian ∇²f = [[2 − 400(y − 3x²), −400x], [−400x, 200]], row-major. */
export function rosenbrockHessian(p: Float64Array): Float64Array {
  const [x, y] = p;
  return Float64Array.of(2 - 400 * (y - 3 * x * x), -400 * x, -400 * x, 200);
}

/** f as a tensor function of p = [x, y] (any dtype; float64 for the second-order helpers), for core's autodiff. */
export function rosenbrockTensor(p: Tensor): Tensor {
  const x = p.narrow(0, 0, 1);
  const y = p.narrow(0, 1, 1);
  return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100)).sum();
}
