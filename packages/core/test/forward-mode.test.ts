/**
 * Acceptance 5: forward mode. `jvp(f, xs, vs)` equals J·v with J formed from reverse-mode rows, for
 * random inputs of every primitive (and every activation and loss); `hvp` matches central finite
 * differences of `grad(f)`; `hessian(xᵀAx) = A + Aᵀ`; `grad(grad(f))` is the analytic second derivative.
 */
import { describe, expect, it } from 'vitest';
import { concat, F, grad, hessian, hvp, jacobian, jvp, noGrad, type Tensor, tensor, valueAndGrad, vjp, where } from '../src/index.js';
import { ACTIVATION_CASES, type Case, LOSS_CASES, PRIMITIVE_CASES, rn } from './support/catalogue.js';
import { expectClose, type Tol } from './support/compare.js';

const ALL = [...PRIMITIVE_CASES, ...ACTIVATION_CASES, ...LOSS_CASES];

/** |a − e| ≤ 1e-10·max(1, |e|): float64 agreement of two differently ordered computations. */
const JVP_TOL = (e: number) => 1e-10 * Math.max(1, Math.abs(e));
/** Cases that round through float32 on purpose agree to float32 precision only. */
const JVP_TOL_F32 = (e: number) => 1e-6 * Math.max(1, Math.abs(e));

function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: (e: number) => number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol(e))) expect.fail(`${what}: element ${i} is ${a}, expected ${e} (|diff| ${Math.abs(a - e)})`);
  }
}

/** J·v assembled from reverse mode: row i of J (w.r.t. each input) is the vjp of the unit cotangent eᵢ. */
function jvpFromReverseRows(f: Case['f'], xs: Tensor[], vs: Tensor[]): { y: Tensor; jv: Float64Array } {
  const [y, pull] = vjp(f, ...xs);
  const jv = new Float64Array(y.size);
  for (let i = 0; i < y.size; i++) {
    const e = tensor(new Float64Array(y.size), { dtype: y.dtype, shape: y.shape });
    e.data[i] = 1;
    const rows = pull(e);
    let s = 0;
    rows.forEach((row, k) => {
      expect(row.shape).toEqual(xs[k]!.shape);
      for (let j = 0; j < row.size; j++) s += row.data[j]! * vs[k]!.data[j]!;
    });
    jv[i] = s;
  }
  return { y, jv };
}

describe('jvp = J·v from reverse-mode rows, for every case', () => {
  it.each(ALL.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const xs = c.inputs();
    const vs = xs.map((x) => rn(x.shape));
    const ref = jvpFromReverseRows(c.f, xs, vs);
    const [y, t] = jvp(c.f, xs, vs);
    expect(y.shape).toEqual(ref.y.shape);
    expect(t.shape).toEqual(y.shape);
    expectAllClose(y.data, ref.y.data, JVP_TOL, `${c.name}: primal output`);
    expectAllClose(t.data, ref.jv, c.float32Inside ? JVP_TOL_F32 : JVP_TOL, `${c.name}: tangent`);
    if (!c.zeroDerivative) expect(Array.from(t.data).some((v) => v !== 0), 'tangent is not identically 0').toBe(true);
    // jvp leaves no tangent behind on its primals.
    for (const x of xs) expect(x._tangent).toBeNull();
  });
});

describe('jvp: single-input cases agree with jacobian(f)(x)·v', () => {
  const single = ALL.filter((c) => c.inputs().length === 1 && !c.float32Inside);
  it.each(single.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const [x] = c.inputs() as [Tensor];
    const v = rn(x.shape);
    const J = jacobian(c.f)(x);
    const [y, t] = jvp(c.f, [x], [v]);
    expect(J.shape).toEqual([...y.shape, ...x.shape]);
    const jv = new Float64Array(y.size);
    for (let i = 0; i < y.size; i++) {
      let s = 0;
      for (let j = 0; j < x.size; j++) s += J.data[i * x.size + j]! * v.data[j]!;
      jv[i] = s;
    }
    expectAllClose(t.data, jv, JVP_TOL, c.name);
  });
});

describe('jvp: several inputs', () => {
  it('tangents on every input add up; a zero tangent on one input gives the partial derivative', () => {
    const a = rn([3, 4]);
    const b = rn([4, 2]);
    const c = rn([2]);
    const f = (p: Tensor, q: Tensor, r: Tensor) => p.matmul(q).add(r).tanh().mul(p.sum(1, true));
    const [va, vb, vc] = [rn([3, 4]), rn([4, 2]), rn([2])];
    const zero = (x: Tensor) => x.mul(0);
    const [, tAll] = jvp(f, [a, b, c], [va, vb, vc]);
    const parts = [
      jvp(f, [a, b, c], [va, zero(vb), zero(vc)])[1],
      jvp(f, [a, b, c], [zero(va), vb, zero(vc)])[1],
      jvp(f, [a, b, c], [zero(va), zero(vb), vc])[1],
    ];
    const sum = Float64Array.from(tAll.data, (_v, i) => parts.reduce((s, p) => s + p.data[i]!, 0));
    expectAllClose(tAll.data, sum, JVP_TOL, 'sum of partial tangents');
    const ref = jvpFromReverseRows(f, [a, b, c], [va, vb, vc]);
    expectAllClose(tAll.data, ref.jv, JVP_TOL, 'J·v');
  });
  it('a float32 tangent for a float64 primal is cast to the primal dtype', () => {
    const x = rn([3]);
    const [, t] = jvp((u) => u.mul(2), [x], [tensor([1, 2, 3])]);
    expect(t.dtype).toBe('float64');
    expect(Array.from(t.data)).toEqual([2, 4, 6]);
  });
  it('an output that does not depend on the primal has a zero tangent', () => {
    const c = rn([2]);
    const [y, t] = jvp(() => c.exp(), [rn([2])], [rn([2])]);
    expect(Array.from(t.data)).toEqual([0, 0]);
    expect(t.shape).toEqual(y.shape);
  });
  it('inputs without a tangent contribute exact zeros, even where their values are infinite', () => {
    const inf = tensor([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], { dtype: 'float64' });
    const x = tensor([1, 2], { dtype: 'float64' });
    const v = tensor([3, 4], { dtype: 'float64' });
    expect(Array.from(jvp((u) => concat([u, inf]), [x], [v])[1].data)).toEqual([3, 4, 0, 0]);
    expect(Array.from(jvp((u) => where(tensor([1, 0]), u, inf), [x], [v])[1].data)).toEqual([3, 0]);
    expect(Array.from(jvp((u) => where(tensor([[1, 0], [0, 1]]), u, 5), [x], [v])[1].data)).toEqual([3, 0, 0, 4]);
  });
  it('tangents left on intermediates by an earlier jvp are ignored by later calls', () => {
    let saved: Tensor | null = null;
    jvp(
      (u) => {
        saved = u.exp();
        return saved.mul(2);
      },
      [tensor([1, 2], { dtype: 'float64' })],
      [tensor([1, 1], { dtype: 'float64' })],
    );
    const s = saved as unknown as Tensor;
    const [, t] = jvp((z) => z.mul(s), [tensor([3, 4], { dtype: 'float64' })], [tensor([1, 0], { dtype: 'float64' })]);
    expect(Array.from(t.data)).toEqual([Math.E, 0]);
    expect(Array.from(grad((z: Tensor) => z.mul(s).sum())(tensor([3, 4], { dtype: 'float64' })).data)).toEqual([Math.E, Math.exp(2)]);
  });
});

/** (∇f(x + hv) − ∇f(x − hv)) / 2h. */
function fdHvp(f: (x: Tensor) => Tensor, x: Tensor, v: Tensor, h = 1e-5): Float64Array {
  const g = grad(f);
  const shifted = (s: number) => noGrad(() => x.add(v.mul(s * h)));
  const gp = g(shifted(1));
  const gm = g(shifted(-1));
  return Float64Array.from(gp.data, (p, i) => (p - gm.data[i]!) / (2 * h));
}

/** Relative agreement for finite differences of gradients: |a − e| ≤ 1e-6·max(1, |e|). */
const FD_TOL = (e: number) => 1e-6 * Math.max(1, Math.abs(e));

describe('hvp = finite differences of grad', () => {
  const A = rn([5, 4]);
  const cases: [string, (x: Tensor) => Tensor, () => Tensor][] = [
    ['Σ tanh(Ax)²', (x) => A.matmul(x).tanh().square().sum(), () => rn([4])],
    ['logSumExp', (x) => F.logSumExp(x.mul(2)), () => rn([6])],
    ['logSumExp over rows, summed', (x) => F.logSumExp(x, 1).sum(), () => rn([3, 4])],
    ['Σ softmax(x)·w', (x) => F.softmax(x).mul(tensor([1, -2, 3, 0.5], { dtype: 'float64' })).sum(), () => rn([4])],
    ['Σ x·sin(x)·exp(−x²)', (x) => x.mul(x.sin()).mul(x.square().neg().exp()).sum(), () => rn([5])],
  ];
  it.each(cases)('%s', (_n, f, mk) => {
    const x = mk();
    const v = rn(x.shape);
    const hv = hvp(f, x, v);
    expect(hv.shape).toEqual(x.shape);
    expectAllClose(hv.data, fdHvp(f, x, v), FD_TOL, 'hvp');
    // and H·v from the full Hessian
    const H = hessian(f)(x);
    const n = x.size;
    const hvRef = Float64Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let j = 0; j < n; j++) s += H.data[i * n + j]! * v.data[j]!;
      return s;
    });
    expectAllClose(hv.data, hvRef, (e) => 1e-12 * Math.max(1, Math.abs(e)), 'hvp vs hessian·v');
  });

  it('a small MLP loss w.r.t. its first weight matrix', () => {
    const X = rn([6, 3]);
    const b1 = rn([4]).mul(0.1);
    const W2 = rn([4, 3]).mul(0.5);
    const labels = [0, 2, 1, 1, 0, 2];
    const loss = (W1: Tensor) => F.crossEntropy(X.matmul(W1).add(b1).tanh().matmul(W2), labels);
    const W1 = rn([3, 4]).mul(0.5);
    const V = rn([3, 4]);
    const hv = hvp(loss, W1, V);
    expect(hv.shape).toEqual([3, 4]);
    expectAllClose(hv.data, fdHvp(loss, W1, V), FD_TOL, 'MLP hvp');
  });

  it('reverse-over-forward (grad of a jvp) gives the same H·v as forward-over-reverse', () => {
    const f = (u: Tensor) => A.matmul(u).tanh().square().sum().add(F.logSumExp(u));
    const x = rn([4]);
    const v = rn([4]);
    const revOverFwd = grad((u: Tensor) => jvp(f, [u], [v])[1])(x);
    expectAllClose(revOverFwd.data, hvp(f, x, v).data, (e) => 1e-12 * Math.max(1, Math.abs(e)), 'grad∘jvp vs hvp');
  });
  it('the loss itself is not changed by hvp, and valueAndGrad still works afterwards', () => {
    const x = rn([4]);
    const f = (u: Tensor) => A.matmul(u).tanh().square().sum();
    const [before, g1] = valueAndGrad(f)(x);
    hvp(f, x, rn([4]));
    const [after, g2] = valueAndGrad(f)(x);
    expect(after.item()).toBe(before.item());
    expect(Array.from(g2[0]!.data)).toEqual(Array.from(g1[0]!.data));
  });
});

describe('hvp = finite differences of grad, for every smooth case (w.r.t. its first input)', () => {
  const smooth = ALL.filter((c) => !c.zeroDerivative && !c.float32Inside);
  it.each(smooth.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const [x, ...rest] = c.inputs() as [Tensor, ...Tensor[]];
    const probe = c.f(x, ...rest);
    const w = Float64Array.from({ length: probe.size }, (_, k) => 1 + (k % 7) * 0.25);
    const wt = tensor(w, { dtype: probe.dtype, shape: probe.shape });
    const s = (u: Tensor) => c.f(u, ...rest).mul(wt).sum();
    const v = rn(x.shape);
    const hv = hvp(s, x, v);
    expectAllClose(hv.data, fdHvp(s, x, v), (e) => 1e-5 * Math.max(1, Math.abs(e)), c.name);
  });
});

describe('hessian', () => {
  it('of the quadratic form xᵀAx is A + Aᵀ (A random, not symmetric)', () => {
    const n = 5;
    const A = rn([n, n]);
    const x = rn([n]);
    const H = hessian((u) => u.matmul(A.matmul(u)))(x);
    expect(H.shape).toEqual([n, n]);
    const sym = Float64Array.from({ length: n * n }, (_, k) => A.data[k]! + A.data[(k % n) * n + Math.floor(k / n)]!);
    expectAllClose(H.data, sym, (e) => 1e-12 * Math.max(1, Math.abs(e)), 'H');
  });
  it('of a [2,3]-shaped input has shape [2,3,2,3] and is symmetric', () => {
    const x = rn([2, 3]);
    const H = hessian((u) => u.tanh().matmul(u.T).sum())(x);
    expect(H.shape).toEqual([2, 3, 2, 3]);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) expect(H.data[i * 6 + j]).toBeCloseTo(H.data[j * 6 + i]!, 12);
  });
});

describe('grad(grad(f)) is the analytic second derivative', () => {
  const x = tensor([-2.1, -0.7, 0, 0.4, 1.3, 2.9], { dtype: 'float64' });
  const tol: Tol = { rel: 1e-12, abs: 1e-15 };
  const d2 = (f: (u: Tensor) => Tensor) => grad((u: Tensor) => grad((w: Tensor) => f(w).sum())(u).sum())(x);
  it("sin'' = −sin", () => {
    expectClose(d2((u) => u.sin()), Array.from(x.data, (v) => -Math.sin(v)), tol);
  });
  it("sin''' = −cos (three levels)", () => {
    const d3 = grad((u: Tensor) => grad((w: Tensor) => grad((z: Tensor) => z.sin().sum())(w).sum())(u).sum())(x);
    expectClose(d3, Array.from(x.data, (v) => -Math.cos(v)), tol);
  });
  it("(exp∘tanh)'' = e^t((1 − t²)² − 2t(1 − t²)), t = tanh x", () => {
    const ref = Array.from(x.data, (v) => {
      const t = Math.tanh(v);
      const s = 1 - t * t;
      return Math.exp(t) * (s * s - 2 * t * s);
    });
    expectClose(d2((u) => u.tanh().exp()), ref, tol);
  });
  it("(x³)'' = 6x and log'' = −1/x²", () => {
    expectClose(d2((u) => u.pow(3)), Array.from(x.data, (v) => 6 * v), tol);
    const p = tensor([0.3, 1, 4], { dtype: 'float64' });
    const g2 = grad((u: Tensor) => grad((w: Tensor) => w.log().sum())(u).sum())(p);
    expectClose(g2, [-1 / 0.09, -1, -1 / 16], tol);
  });
  it("sigmoid'' = σ(1 − σ)(1 − 2σ) and erf'' = −2x·erf'", () => {
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    expectClose(d2((u) => u.sigmoid()), Array.from(x.data, (v) => sig(v) * (1 - sig(v)) * (1 - 2 * sig(v))), tol);
    expectClose(d2((u) => u.erf()), Array.from(x.data, (v) => (-4 * v * Math.exp(-v * v)) / Math.sqrt(Math.PI)), tol);
  });
});
