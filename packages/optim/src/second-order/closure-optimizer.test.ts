import { describe, expect, it } from 'vitest';
import { bfgs } from './bfgs.js';
import { ClosureOptimizer, type ParamLike, gatherFlatGrad, gatherFlatParams, scatterFlatParams } from './closure-optimizer.js';
import { lbfgs } from './lbfgs.js';

describe('flat parameter helpers', () => {
  const params: ParamLike[] = [
    { data: Float32Array.of(1, 2), grad: { data: Float32Array.of(0.5, -0.5) } },
    { data: Float64Array.of(3), grad: null },
  ];
  it('gather parameters and gradients (a missing gradient is zeros)', () => {
    expect([...gatherFlatParams(params)]).toEqual([1, 2, 3]);
    expect([...gatherFlatGrad(params)]).toEqual([0.5, -0.5, 0]);
  });
  it('scatter rounds into float32 parameters', () => {
    scatterFlatParams(params, Float64Array.of(0.1, 0.2, 0.3));
    expect(params[0].data[0]).toBe(Math.fround(0.1));
    expect(params[1].data[0]).toBe(0.3);
  });
});

describe('ClosureOptimizer', () => {
  // f(a, b) = (a − 3)² + 2(b + 1)², parameters in two float32 "tensors"
  const setup = () => {
    const a = { data: Float32Array.of(0), grad: null as { data: Float32Array } | null };
    const b = { data: Float32Array.of(0), grad: null as { data: Float32Array } | null };
    let calls = 0;
    const closure = () => {
      calls++;
      a.grad = { data: Float32Array.of(2 * (a.data[0] - 3)) };
      b.grad = { data: Float32Array.of(4 * (b.data[0] + 1)) };
      const loss = (a.data[0] - 3) ** 2 + 2 * (b.data[0] + 1) ** 2;
      return { item: () => loss };
    };
    return { a, b, closure, calls: () => calls };
  };
  it('returns the loss at the start of the step and writes the result into the parameters', () => {
    const { a, b, closure, calls } = setup();
    const opt = new ClosureOptimizer([a, b], lbfgs({ lineSearchFn: 'strong_wolfe' }));
    expect(opt.step(closure)).toBe(11);
    expect(a.data[0]).toBeCloseTo(3, 4);
    expect(b.data[0]).toBeCloseTo(-1, 4);
    expect(calls()).toBe(opt.state.funcEvals);
    expect(opt.step(closure)).toBeLessThan(1e-9);
    expect(a.data).toBeInstanceOf(Float32Array);
  });
  it('works with any method, e.g. BFGS', () => {
    const { a, b, closure } = setup();
    const opt = new ClosureOptimizer([a, b], bfgs({ tol: 1e-5 }));
    opt.step(closure);
    expect(a.data[0]).toBeCloseTo(3, 5);
    expect(b.data[0]).toBeCloseTo(-1, 5);
  });
});
