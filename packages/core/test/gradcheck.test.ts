/**
 * Acceptance 2: `gradcheck` (float64 central differences) for every primitive op and method, every
 * activation and every loss of F, on random inputs shifted away from kinks; then the kinks
 * themselves, asserting the documented conventions; then large inputs.
 */
import { describe, expect, it } from 'vitest';
import { type DType, F, grad, gradcheck, jvp, maximum, minimum, type NestedArray, type Tensor, tensor, where } from '../src/index.js';
import { ACTIVATION_CASES, type Case, LOSS_CASES, PRIMITIVE_CASES, rn } from './support/catalogue.js';
import { expectClose, F64 } from './support/compare.js';

function runGradcheck(c: Case): void {
  const inputs = c.inputs();
  for (const x of inputs) expect(x.dtype).toBe('float64');
  const r = gradcheck(c.f, inputs, c.eps !== undefined ? { eps: c.eps } : {});
  expect(r.ok, `${c.name}: max error ${r.maxError} at ${r.worst}`).toBe(true);
  const anyNonZero = r.analytic.some((a) => a.some((v) => v !== 0));
  if (c.zeroDerivative) {
    expect(anyNonZero, `${c.name}: derivative should be 0 everywhere`).toBe(false);
    expect(r.numeric.every((a) => a.every((v) => v === 0))).toBe(true);
  } else {
    // Every input must actually receive a gradient, so a check is never vacuous.
    r.analytic.forEach((a, i) => expect(a.some((v) => v !== 0), `${c.name}: input ${i} got an all-zero gradient`).toBe(true));
  }
}

describe('gradcheck: primitive ops and methods', () => {
  it.each(PRIMITIVE_CASES.map((c) => [c.name, c] as const))('%s', (_n, c) => runGradcheck(c));
});

describe('gradcheck: every activation of F', () => {
  it.each(ACTIVATION_CASES.map((c) => [c.name, c] as const))('%s', (_n, c) => runGradcheck(c));
});

describe('gradcheck: every loss of F', () => {
  it.each(LOSS_CASES.map((c) => [c.name, c] as const))('%s', (_n, c) => runGradcheck(c));
});

describe('gradcheck itself', () => {
  it('detects a wrong gradient (a detached factor)', () => {
    const r = gradcheck((x) => x.mul(x.detach()), [rn([5])]);
    expect(r.ok).toBe(false);
    expect(r.maxError).toBeGreaterThan(0.1);
  });
  it('restores the inputs it perturbs', () => {
    const x = rn([4]);
    const before = Array.from(x.data);
    gradcheck((u) => u.exp().sum(), [x]);
    expect(Array.from(x.data)).toEqual(before);
  });
});

const f64 = (v: NestedArray) => tensor(v, { dtype: 'float64' });
/** d(Σ f(x)·u)/dx (u = 1 by default). */
const gradOf = (f: (x: Tensor) => Tensor, x: NestedArray, u?: NestedArray, dtype: DType = 'float64') => {
  const ut = u === undefined ? null : tensor(u, { dtype });
  return grad((v: Tensor) => (ut ? f(v).mul(ut) : f(v)).sum())(tensor(x, { dtype })).toArray();
};

describe('kinks: documented conventions (not finite differences)', () => {
  it("relu'(0) = 0 (F.relu and the method)", () => {
    expect(gradOf(F.relu, [0, -0, 1, -1])).toEqual([0, 0, 1, 0]);
    expect(gradOf((x) => x.relu(), [0, 2])).toEqual([0, 1]);
  });
  it("leakyRelu'(0) = α, prelu'(0) = α", () => {
    expect(gradOf((x) => F.leakyRelu(x), [0, 1, -1])).toEqual([0.01, 1, 0.01]);
    expect(gradOf((x) => F.leakyRelu(x, 0.2), [0])).toEqual([0.2]);
    expect(gradOf((x) => F.prelu(x, 0.25), [0])).toEqual([0.25]);
    const [gx, ga] = grad((x: Tensor, a: Tensor) => F.prelu(x, a).sum(), [0, 1])(f64([0, -2, 3]), f64([0.3]));
    expect(gx!.toArray()).toEqual([0.3, 0.3, 1]);
    expect(ga!.toArray()).toEqual([-2]);
  });
  it("elu'(0) = α and selu'(0) = λα (PyTorch's convention, also in the fixture)", () => {
    expect(gradOf((x) => F.elu(x, 0.7), [0])).toEqual([0.7]);
    expect((gradOf(F.selu, [0]) as number[])[0]).toBeCloseTo(F.SELU_ALPHA * F.SELU_SCALE, 15);
  });
  it("abs'(0) = 0, sign' = 0, mae at a zero residual has gradient 0", () => {
    expect(gradOf((x) => x.abs(), [0, -0, 2, -2])).toEqual([0, 0, 1, -1]);
    expect(gradOf((x) => x.sign(), [0, 2, -2])).toEqual([0, 0, 0]);
    expect(grad((x: Tensor) => F.mae(x, f64([1, 2])))(f64([1, 3])).toArray()).toEqual([0, 0.5]);
  });
  it('maximum / minimum: ties split the gradient 0.5 / 0.5', () => {
    const a = f64([1, 2, 3]);
    const b = f64([1, 5, 0]);
    const gmax = grad((x: Tensor, y: Tensor) => maximum(x, y).sum(), [0, 1])(a, b);
    expect(gmax.map((g) => g.toArray())).toEqual([
      [0.5, 0, 1],
      [0.5, 1, 0],
    ]);
    const gmin = grad((x: Tensor, y: Tensor) => minimum(x, y).sum(), [0, 1])(a, b);
    expect(gmin.map((g) => g.toArray())).toEqual([
      [0.5, 1, 0],
      [0.5, 0, 1],
    ]);
    expect(gradOf((x) => x.maximum(0), [0, 1, -1])).toEqual([0.5, 1, 0]);
    expect(gradOf((x) => x.minimum(0), [0, 1, -1])).toEqual([0.5, 0, 1]);
    // With broadcasting the shares of the broadcast operand are summed: three ties and one win.
    const [ga, gb] = grad((x: Tensor, y: Tensor) => maximum(x, y).sum(), [0, 1])(f64([[2, 2], [2, 1]]), f64([2]));
    expect(ga!.toArray()).toEqual([
      [0.5, 0.5],
      [0.5, 0],
    ]);
    expect(gb!.toArray()).toEqual([2.5]);
  });
  it('max / min reductions: ties share the gradient equally', () => {
    const x = [
      [1, 3, 3, 2],
      [5, 5, 5, 0],
    ];
    expect(gradOf((t) => t.max(1), x)).toEqual([
      [0, 0.5, 0.5, 0],
      [1 / 3, 1 / 3, 1 / 3, 0],
    ]);
    expect(gradOf((t) => t.max(1, true), x, [[2], [3]])).toEqual([
      [0, 1, 1, 0],
      [1, 1, 1, 0],
    ]);
    expect(gradOf((t) => t.max(), x)).toEqual([
      [0, 0, 0, 0],
      [1 / 3, 1 / 3, 1 / 3, 0],
    ]);
    expect(gradOf((t) => t.min(0), [[1, 3, 2], [1, 3, 0]])).toEqual([
      [0.5, 0.5, 0],
      [0.5, 0.5, 1],
    ]);
    expect(gradOf((t) => t.min(), [[0, 3, 0, 0]])).toEqual([[1 / 3, 0, 1 / 3, 1 / 3]]);
  });
  it('maxout: at ties the gradient goes to the first maximal unit', () => {
    expect(gradOf((x) => F.maxout(x, 2), [[1, 1, 2, 2]], [[3, 4]])).toEqual([[3, 0, 4, 0]]);
    expect(gradOf((x) => F.maxout(x, 4), [[0.5, 0.5, 0.5, 0.5]])).toEqual([[1, 0, 0, 0]]);
    expect(gradOf((x) => F.maxout(x, 3), [[1, 2, 2, 0, -1, 0]])).toEqual([[0, 1, 0, 1, 0, 0]]);
  });
  it('clip: gradient 1 inside and at the bounds, 0 outside', () => {
    expect(gradOf((x) => x.clip(-1, 1), [-2, -1, 0, 1, 2])).toEqual([0, 1, 1, 1, 0]);
    expect(gradOf((x) => x.clip(null, 0.5), [0.5, 0.6, 0.4])).toEqual([1, 0, 1]);
    expect(gradOf((x) => x.clip(0, null), [0, -0.1, 0.1])).toEqual([1, 0, 1]);
  });
  it("binaryStep' = 0 everywhere, including at 0 (reverse and forward mode)", () => {
    const x = [-1, -0, 0, 1e-300, 2];
    expect(F.binaryStep(f64(x)).toArray()).toEqual([0, 1, 1, 1, 1]);
    expect(gradOf(F.binaryStep, x)).toEqual([0, 0, 0, 0, 0]);
    const [, t] = jvp((u) => F.binaryStep(u), [f64(x)], [f64([1, 1, 1, 1, 1])]);
    expect(t.toArray()).toEqual([0, 0, 0, 0, 0]);
  });
  it("smooth functions built from kinked primitives are right at 0: softplus'(0) = ½, bceWithLogits'(0) = σ(0) − y", () => {
    expect(gradOf(F.softplus, [0])).toEqual([0.5]);
    expect(grad((x: Tensor) => F.bceWithLogits(x, f64([0, 1]), 'sum'))(f64([0, 0])).toArray()).toEqual([0.5, -0.5]);
  });
  it('the branch not taken gets an exact 0 even when the upstream gradient is infinite (as torch)', () => {
    // sqrt'(0) = ∞ flows back into relu / maximum / clip / where; torch gives 0 where the input lost.
    expect(gradOf((x) => F.relu(x).sqrt(), [0, 4, -1])).toEqual([0, 0.25, 0]);
    expect(gradOf((x) => x.maximum(0).sqrt(), [0, 4, -1])).toEqual([Number.POSITIVE_INFINITY, 0.25, 0]);
    expect(gradOf((x) => x.minimum(0).neg().sqrt(), [-4, 1])).toEqual([-0.25, 0]);
    expect(gradOf((x) => x.clip(0, null).sqrt(), [0, 4, -1])).toEqual([Number.POSITIVE_INFINITY, 0.25, 0]);
    expect(gradOf((x) => where(f64([1, 0]), x, x.mul(3)).sqrt(), [0, 1])).toEqual([Number.POSITIVE_INFINITY, 3 * (1 / (Math.sqrt(3) * 2))]);
  });
  it('pow at a zero base follows torch: d/da = 0 where b = 0, d/db = 0 where a = 0 and b ≥ 0', () => {
    const [ga, gb] = grad((a: Tensor, b: Tensor) => a.pow(b).sum(), [0, 1])(f64([0, 0, 2, 0, 0]), f64([2, 0, 0, 0.5, -1]));
    expect(ga!.toArray()).toEqual([0, 0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(gb!.toArray()).toEqual([0, 0, Math.LN2, 0, Number.NEGATIVE_INFINITY]);
    expect(gradOf((x) => x.pow(0), [0, 3])).toEqual([0, 0]);
    const [, t] = jvp((a, b) => a.pow(b), [f64([0, 0]), f64([2, 0])], [f64([1, 1]), f64([1, 1])]);
    expect(t.toArray()).toEqual([0, 0]);
  });
  it('huber at |d| = δ: the gradient is δ·sign(d) from both sides', () => {
    expect(grad((x: Tensor) => F.huber(x, f64([0, 0]), 0.5, 'sum'))(f64([0.5, -0.5])).toArray()).toEqual([0.5, -0.5]);
  });
});

/** The same nested numbers with −0 turned into 0 (toEqual tells them apart). */
const noNegZero = (x: NestedArray): NestedArray => (typeof x === 'number' ? x + 0 : x.map(noNegZero));
const isFiniteAll = (x: NestedArray) => [x].flat(Number.POSITIVE_INFINITY as 1).every((v) => Number.isFinite(v as number));

describe.each(['float64', 'float32'] as DType[])('large inputs (%s)', (dtype) => {
  const t = (v: NestedArray) => tensor(v, { dtype });
  it('softmax at ±1000 is exact and its gradient finite', () => {
    expect(F.softmax(t([1000, -1000, 0])).toArray()).toEqual([1, 0, 0]);
    expect(F.softmax(t([-1000, 0, 1000])).toArray()).toEqual([0, 0, 1]);
    expect(F.softmax(t([[1000, 1000], [-1000, -1000]])).toArray()).toEqual([
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
    expect(gradOf(F.softmax, [1000, -1000, 0], [1, 2, 3], dtype)).toEqual([0, 0, 0]);
    expect(gradOf(F.softmax, [1000, 1000, -1000], [1, 2, 3], dtype)).toEqual([-0.25, 0.25, 0]);
  });
  it('logSoftmax at ±1000 is exact: logSoftmax([1000, 0]) = [0, −1000]', () => {
    expect(F.logSoftmax(t([1000, 0])).toArray()).toEqual([0, -1000]);
    expect(F.logSoftmax(t([-1000, 1000, 0])).toArray()).toEqual([-2000, 0, -1000]);
    expect(F.logSoftmax(t([[1000, -1000], [-1000, -1000]])).toArray()).toEqual([
      [0, -2000],
      [-Math.LN2, -Math.LN2].map((v) => (dtype === 'float32' ? Math.fround(v) : v)),
    ]);
    // d Σ u·logSoftmax(x) / dx = u − softmax(x)·Σu
    expect(gradOf(F.logSoftmax, [1000, 0], [1, 2], dtype)).toEqual([-2, 2]);
    expect(gradOf(F.logSoftmax, [-1000, 1000, 0], [1, 2, 3], dtype)).toEqual([1, -4, 3]);
  });
  it('logSumExp and crossEntropy at ±1000', () => {
    expectClose(F.logSumExp(t([1000, 1000])), 1000 + Math.LN2, dtype === 'float64' ? F64 : { rel: 1e-7, abs: 0 });
    expectClose(F.logSumExp(t([-1000, -1000])), -1000 + Math.LN2, dtype === 'float64' ? F64 : { rel: 1e-7, abs: 0 });
    expect(gradOf((x) => F.logSumExp(x), [1000, 1000, -1000], undefined, dtype)).toEqual([0.5, 0.5, 0]);
    expect(F.crossEntropy(t([[1000, -1000, 0]]), [1]).item()).toBe(2000);
    expect(grad((x: Tensor) => F.crossEntropy(x, [1]))(t([[1000, -1000, 0]])).toArray()).toEqual([[1, -1, 0]]);
  });
  it('sigmoid(±1000) and softplus(±1000) are finite, with finite gradients', () => {
    expect(F.sigmoid(t([1000, -1000])).toArray()).toEqual([1, 0]);
    expect(gradOf(F.sigmoid, [1000, -1000], undefined, dtype)).toEqual([0, 0]);
    expect(F.softplus(t([1000, -1000])).toArray()).toEqual([1000, 0]);
    expect(gradOf(F.softplus, [1000, -1000], undefined, dtype)).toEqual([1, 0]);
  });
  it('bceWithLogits at ±1000 is finite and exact', () => {
    const y = t([1, 0, 1, 0]);
    expect(F.bceWithLogits(t([1000, 1000, -1000, -1000]), y, 'none').toArray()).toEqual([0, 1000, 1000, 0]);
    expect(grad((x: Tensor) => F.bceWithLogits(x, y, 'sum'))(t([1000, 1000, -1000, -1000])).toArray()).toEqual([0, 1, -1, 0]);
  });
  it('the other activations stay finite at ±1000, with the limiting values and gradients', () => {
    const x = [1000, -1000];
    const cases: [string, (u: Tensor) => Tensor, number[], number[]][] = [
      ['tanh', F.tanh, [1, -1], [0, 0]],
      ['lecunTanh', F.lecunTanh, [1.7159, -1.7159], [0, 0]],
      ['sobolevaTanh(1,1,1,1)', (u) => F.sobolevaTanh(u), [1, -1], [0, 0]],
      // For x → −∞ it behaves as −e^{(d−b)x} = −e^{x/2}.
      ['sobolevaTanh(1,0.5,1,1)', (u) => F.sobolevaTanh(u, 1, 0.5, 1, 1), [1, -Math.exp(-500)], [0, -0.5 * Math.exp(-500)]],
      ['relu', F.relu, [1000, 0], [1, 0]],
      ['leakyRelu', (u) => F.leakyRelu(u), [1000, -10], [1, 0.01]],
      ['elu', (u) => F.elu(u), [1000, -1], [1, 0]],
      ['selu', F.selu, [1000 * F.SELU_SCALE, -F.SELU_SCALE * F.SELU_ALPHA], [F.SELU_SCALE, 0]],
      ['gelu', (u) => F.gelu(u), [1000, -0], [1, 0]],
      ['gelu tanh', (u) => F.gelu(u, 'tanh'), [1000, -0], [1, 0]],
      ['silu', F.silu, [1000, -0], [1, 0]],
      ['gaussian', F.gaussian, [0, 0], [0, 0]],
    ];
    const tol = dtype === 'float32' ? { rel: 1e-6, abs: 1e-30 } : { rel: 1e-14, abs: 1e-300 };
    for (const [name, f, y, dy] of cases) {
      const out = f(t(x));
      const g = gradOf(f, x, undefined, dtype);
      expect(isFiniteAll(out.toArray()) && isFiniteAll(g), `${name}: ${out.toArray()} / ${g}`).toBe(true);
      expectClose(out, y, tol, `${name}(±1000)`);
      expectClose(g, dy, tol, `${name}'(±1000)`);
    }
  });
  it('bce at probabilities 0 and 1: loss clamped at 100 (as torch), finite gradient of the clamped expression', () => {
    const y = t([0, 1, 1, 0]);
    expect(noNegZero(F.bce(t([0, 0, 1, 1]), y, 'none').toArray())).toEqual([0, 100, 0, 100]);
    // Where a log is clamped its branch contributes nothing; the other branch is smooth:
    // d/dp −[y·log p + (1 − y)·log(1 − p)] = −y/p + (1 − y)/(1 − p) on the unclamped branches.
    expect(grad((p: Tensor) => F.bce(p, y, 'sum'))(t([0, 0, 1, 1])).toArray()).toEqual([1, 0, -1, 0]);
  });
});
