import { describe, expect, it } from 'vitest';
import { rosenbrock } from '../../test/rosenbrock.js';
import { bfgs } from './bfgs.js';
import { minimize } from './minimize.js';

describe('minimize', () => {
  it('is pure: x0 is untouched and two runs agree bit for bit', () => {
    const x0 = Float64Array.of(-1.2, 1);
    const a = minimize(rosenbrock, x0, bfgs({ maxIter: 5 }));
    const b = minimize(rosenbrock, x0, bfgs({ maxIter: 5 }));
    expect([...x0]).toEqual([-1.2, 1]);
    expect([...a.x]).toEqual([...b.x]);
    expect(a.x).not.toBe(x0);
  });
  it('copies gradients, so an objective may reuse its buffer', () => {
    const buf = new Float64Array(2);
    const reusing = (x: Float64Array) => {
      const { loss, grad } = rosenbrock(x);
      buf.set(grad);
      return { loss, grad: buf };
    };
    const a = minimize(reusing, [-1.2, 1], bfgs({ tol: 1e-9 }));
    const b = minimize(rosenbrock, [-1.2, 1], bfgs({ tol: 1e-9 }));
    expect([...a.x]).toEqual([...b.x]);
  });
  it('rejects a gradient of the wrong length', () => {
    expect(() => minimize(() => ({ loss: 0, grad: new Float64Array(3) }), [1, 2], bfgs())).toThrow(
      'objective: grad has length 3, expected 2 (the length of x)',
    );
  });
});
