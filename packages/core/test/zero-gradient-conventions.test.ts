/**
 * Issue 18, "Also found, to fix": the places where PyTorch's convention is a zero (sub)gradient.
 * - std() where every reduced value is equal: √0 has an infinite derivative and the variance a
 *   zero one; torch.std's backward masks the product to 0 (not NaN). Reverse mode, jvp and hvp.
 * - `.backward()` through a graph whose only paths go through a piecewise-constant op (sign, the
 *   comparisons, argmax/argmin, F.binaryStep): PyTorch's `torch.sign(x).sum().backward()` leaves
 *   zeros in x.grad; ours used to throw "does not require grad".
 * Checked against float64 central differences where the function is differentiable, and against
 * the torch convention where it is not (written out: torch is not run by the tests).
 */
import { describe, expect, it } from 'vitest';
import { F, grad, gradcheck, hvp, jvp, noGrad, type Tensor, tensor } from '../src/index.js';

const f64 = (v: number[] | number[][], requiresGrad = false) => {
  const t = tensor(v, { dtype: 'float64' });
  t.requiresGrad = requiresGrad;
  return t;
};
const arr = (t: Tensor) => Array.from(t.data);
const allFinite = (t: Tensor) => arr(t).every(Number.isFinite);

/** Central differences of the gradient of f along v: (∇f(x + hv) − ∇f(x − hv)) / 2h. */
function hvpByDifferences(f: (x: Tensor) => Tensor, x: Tensor, v: Tensor, h = 1e-5): number[] {
  const at = (s: number) => arr(grad(f)(f64(arr(x).map((xi, i) => xi + s * h * v.data[i]!)).reshape(x.shape)));
  const [p, m] = [at(1), at(-1)];
  return p.map((pi, i) => (pi - m[i]!) / (2 * h));
}

function expectNear(actual: number[], expected: number[], tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((a, i) => {
    if (!(Math.abs(a - expected[i]!) <= tol * Math.max(1, Math.abs(expected[i]!)))) {
      expect.fail(`${what}: element ${i} is ${a}, expected ${expected[i]}`);
    }
  });
}

describe('std() of equal values: gradient 0, as torch.std', () => {
  // Row 0 is constant (the "constant feature"); row 1 is not.
  const X = [
    [2.5, 2.5, 2.5, 2.5],
    [1, 2, 4, 7],
  ];
  const rowStd = (x: Tensor) => x.std(1).sum();

  it('.backward() of a constant tensor’s std leaves zeros in .grad (torch.std: grad 0), every correction', () => {
    for (const correction of [1, 0]) {
      const x = f64([3.7, 3.7, 3.7, 3.7, 3.7], true);
      const s = x.std(null, false, correction);
      expect(s.item()).toBe(0);
      s.backward();
      expect(arr(x.grad!)).toEqual([0, 0, 0, 0, 0]);
    }
  });

  it('reverse mode: 0 on the constant row, (x − x̄)/((n − 1)·std) on the other, = central differences', () => {
    const x = f64(X);
    const g = arr(grad(rowStd)(x));
    expect(g.slice(0, 4)).toEqual([0, 0, 0, 0]);
    const row = X[1]!;
    const mean = row.reduce((a, b) => a + b) / 4;
    const sd = Math.sqrt(row.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
    expectNear(g.slice(4), row.map((v) => (v - mean) / (3 * sd)), 1e-14, 'analytic row 1');
    // The constant row is a kink (std(c + h·e) = |h|·std(e)); its central difference is exactly
    // symmetric, so finite differences also give 0 there.
    const r = gradcheck((u) => u.std(1), [f64(X)]);
    expect(r.ok, `max error ${r.maxError} at ${r.worst}`).toBe(true);
    expect(r.numeric[0]!.slice(0, 4).every((v) => Math.abs(v) < 1e-9)).toBe(true);
  });

  it('a batch with a constant feature: std over the batch axis keeps every gradient finite', () => {
    const batch = f64([
      [1, 5, -2],
      [1, 3, 0],
      [1, 4, 7],
    ]);
    const g = grad((u) => u.std(0, true).mul(f64([[1, 2, 3]])).sum())(batch);
    expect(allFinite(g)).toBe(true);
    expect([g.data[0], g.data[3], g.data[6]]).toEqual([0, 0, 0]);
    const r = gradcheck((u) => u.std(0, true), [batch]);
    expect(r.ok, `max error ${r.maxError} at ${r.worst}`).toBe(true);
  });

  it('jvp: the tangent is 0 on the constant row and the directional derivative on the other', () => {
    const v = f64([
      [0.3, -1, 2, 0.5],
      [0.7, 0.1, -0.4, 1.2],
    ]);
    const [y, t] = jvp((u) => u.std(1), [f64(X)], [v]);
    expect(y.data[0]).toBe(0);
    expect(t.data[0]).toBe(0);
    const h = 1e-6;
    const shifted = (s: number) => f64(X.flat().map((xi, i) => xi + s * h * v.data[i]!)).reshape([2, 4]).std(1).data[1]!;
    expectNear([t.data[1]!], [(shifted(1) - shifted(-1)) / (2 * h)], 1e-8, 'tangent of row 1');
  });

  it('hvp: finite everywhere, 0 on the constant row, central differences of ∇ on the other', () => {
    const v = f64([
      [0.3, -1, 2, 0.5],
      [0.7, 0.1, -0.4, 1.2],
    ]);
    const hv = hvp(rowStd, f64(X), v);
    expect(allFinite(hv)).toBe(true);
    expect(arr(hv).slice(0, 4)).toEqual([0, 0, 0, 0]);
    // Row 1 is smooth; the rows do not interact, so a direction with 0 on row 0 isolates it.
    const v1 = f64([[0, 0, 0, 0], arr(v).slice(4)]);
    expectNear(arr(hvp(rowStd, f64(X), v1)).slice(4), hvpByDifferences(rowStd, f64(X), v1).slice(4), 1e-6, 'hvp row 1');
  });

  it('var() of equal values needs no mask: gradient 0, jvp 0, hvp 2(v − v̄)/(n − 1) = central differences', () => {
    const c = f64([1.5, 1.5, 1.5, 1.5]);
    expect(arr(grad((u) => u.var())(c))).toEqual([0, 0, 0, 0]);
    expect(jvp((u) => u.var(), [c], [f64([1, -2, 0.5, 3])])[1].item()).toBe(0);
    const v = f64([1, -2, 0.5, 3]);
    const mean = 2.5 / 4;
    expectNear(arr(hvp((u) => u.var(), c, v)), arr(v).map((vi) => (2 * (vi - mean)) / 3), 1e-14, 'var hvp analytic');
    expectNear(arr(hvp((u) => u.var(), c, v)), hvpByDifferences((u) => u.var(), c, v), 1e-6, 'var hvp vs differences');
  });
});

describe('.backward() through piecewise-constant ops gives zero gradients, as torch.sign', () => {
  // [name, f, whether y is in the graph]
  const CASES: [string, (x: Tensor, y: Tensor) => Tensor, boolean][] = [
    ['sign', (x) => x.sign().mul(3).sum(), false],
    ['gt / ge / lt / le / eq / ne', (x, y) => x.gt(y).add(x.ge(0)).add(y.lt(x)).add(x.le(y)).add(x.eq(y)).add(y.ne(1)).sum(), true],
    ['argmax / argmin', (x) => x.reshape([2, 2]).argmax(1).add(x.reshape([2, 2]).argmin(0)).sum(), false],
    ['F.binaryStep', (x) => F.binaryStep(x).sum(), false],
  ];

  it.each(CASES)('%s: no throw, zeros of the right shape in every leaf, equal to grad(f)', (_name, f, usesY) => {
    const x = f64([-1.5, 0, 2, 0.25], true);
    const y = f64([0.5, 0, 2, -1], true);
    const out = f(x, y);
    expect(out.requiresGrad).toBe(true);
    out.backward();
    // Every leaf of the graph gets a gradient (torch: zeros_like), none is left null or NaN.
    // A leaf outside the graph keeps a null grad (torch: None).
    if (!usesY) expect(y.grad).toBeNull();
    for (const leaf of usesY ? [x, y] : [x]) {
      expect(leaf.grad, 'grad is set').not.toBeNull();
      expect(leaf.grad!.shape).toEqual([4]);
      expect(arr(leaf.grad!)).toEqual([0, 0, 0, 0]);
    }
    const [gx, gy] = grad(f, [0, 1])(f64(arr(x)), f64(arr(y)));
    expect(arr(gx!)).toEqual(arr(x.grad!));
    expect(arr(gy!)).toEqual(usesY ? arr(y.grad!) : [0, 0, 0, 0]);
    // Forward mode agrees: a zero tangent.
    expect(arr(jvp((u) => f(u, f64(arr(y))), [f64(arr(x))], [f64([1, 2, 3, 4])])[1])).toEqual([0]);
  });

  it('a zero path beside a differentiable one adds nothing: d(sign(x)·x)/dx = sign(x), d(x·(x > 0))/dx = step', () => {
    const x = f64([-2, 3, 0.5], true);
    x.sign().mul(x).sum().backward();
    expect(arr(x.grad!)).toEqual([-1, 1, 1]);
    const z = f64([-2, 3, 0.5], true);
    z.mul(z.gt(0)).sum().backward();
    expect(arr(z.grad!)).toEqual([0, 1, 1]);
  });

  it('createGraph: the gradient through sign is itself differentiable (second derivative 0)', () => {
    const x = f64([-2, 3], true);
    x.sign().mul(x).sum().backward(undefined, { createGraph: true });
    const g = x.grad!;
    expect(arr(g)).toEqual([-1, 1]);
    x.grad = null;
    g.sum().backward();
    expect(arr(x.grad!)).toEqual([0, 0]);
  });

  it('under noGrad nothing is recorded, and backward() still says why', () => {
    const x = f64([1, -1], true);
    const s = noGrad(() => x.sign().sum());
    expect(s.requiresGrad).toBe(false);
    expect(() => s.backward()).toThrow(/backward: this tensor does not require grad/);
  });
});
