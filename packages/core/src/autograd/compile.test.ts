import { describe, expect, it } from 'vitest';
import { compile, type DType, F, grad, hessian, nn, Rng, randn, type Tensor, tensor } from '../index.js';
import { isCapturing } from './capture.js';

const XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const XOR_Y = [[0], [1], [1], [0]];

function params(net: nn.Module): Tensor[] {
  return Object.values(net.parameters());
}

/** Plain SGD outside the compiled function, then zeroed gradients (in place, as Optimizer.zeroGrad). */
function sgdStep(ps: Tensor[], lr: number): void {
  for (const p of ps) {
    const g = p.grad!.data;
    for (let i = 0; i < p.size; i++) p.data[i] = p.data[i]! - lr * g[i]!;
    g.fill(0);
  }
}

function bits(ps: Tensor[]): string {
  return ps.map((p) => Array.from(p.data, (v) => v.toString()).join(',')).join('|');
}

function xorRun(dtype: DType, compiled: boolean, steps: number): { losses: number[]; weights: string } {
  const rng = new Rng(3);
  const net = new nn.Sequential(new nn.Linear(2, 4, { rng, dtype }), nn.Sigmoid(), new nn.Linear(4, 1, { rng, dtype }));
  const x = tensor(XOR_X, { dtype });
  const y = tensor(XOR_Y, { dtype });
  const ps = params(net);
  const lossOf = (xb: Tensor, yb: Tensor) => {
    const loss = F.bceWithLogits(net.forward(xb), yb);
    loss.backward();
    return loss;
  };
  const step = compiled ? compile(lossOf) : lossOf;
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    losses.push(step(x, y).item());
    sgdStep(ps, 0.5);
  }
  return { losses, weights: bits(ps) };
}

describe('compile', () => {
  it.each(['float32', 'float64'] as const)('replays an XOR training step with the eager bits (%s)', (dtype) => {
    const eager = xorRun(dtype, false, 1500);
    const compiled = xorRun(dtype, true, 1500);
    expect(compiled.losses).toEqual(eager.losses);
    expect(compiled.weights).toBe(eager.weights);
    // It learned: a replay that did nothing would leave the first loss.
    expect(eager.losses[1499]!).toBeLessThan(eager.losses[0]! * 0.5);
  });

  it('follows new batches, tensor labels and dropout masks like the eager step', () => {
    const run = (compiled: boolean) => {
      const rng = new Rng(7);
      const net = new nn.Sequential(new nn.Linear(5, 8, { rng }), nn.ReLU(), new nn.Dropout(0.3, 11), new nn.Linear(8, 3, { rng }));
      const ps = params(net);
      const lossOf = (xb: Tensor, labels: Tensor) => {
        const loss = F.crossEntropy(net.forward(xb), labels);
        loss.backward();
        return [loss, net.forward(xb).sum()];
      };
      const step = compiled ? compile(lossOf) : lossOf;
      const data = new Rng(99);
      const out: number[] = [];
      for (let i = 0; i < 12; i++) {
        const xb = randn([6, 5], { rng: data });
        const labels = tensor(Array.from({ length: 6 }, () => data.int(3)));
        const [loss, s] = step(xb, labels);
        out.push(loss!.item(), s!.item());
        sgdStep(ps, 0.1);
      }
      return { out, weights: bits(ps) };
    };
    const eager = run(false);
    const compiled = run(true);
    expect(compiled.out).toEqual(eager.out);
    expect(compiled.weights).toBe(eager.weights);
    expect(new Set(eager.out).size).toBe(eager.out.length); // every batch gave other values
  });

  it('replays broadcasting, where, expand, permute, sum and matmul on new values', () => {
    const fn = (a: Tensor, b: Tensor, c: Tensor) => {
      const w = a.gt(0).mul(1);
      const t = a.permute([1, 0]).matmul(b).add(c.expand([3, 3]));
      return [t.sum(0, true).mul(t.max(1, true)), a.maximum(b.sum(1, true)).minimum(0.5), w.sum([0, 1])];
    };
    const f = compile(fn);
    const rng = new Rng(5);
    for (let i = 0; i < 4; i++) {
      const args = [randn([4, 3], { rng, dtype: 'float64' }), randn([4, 3], { rng, dtype: 'float64' }), randn([1, 3], { rng, dtype: 'float64' })] as const;
      const got = f(...args).map((t) => t.toArray());
      const want = fn(...args).map((t) => t.toArray());
      expect(got).toEqual(want);
    }
    expect(f.captures).toBe(1);
  });

  it('replays the functional transforms: grad and hessian of a function at new points', () => {
    const f = (p: Tensor) => p.mul(p).mul(p).sum().add(p.sin().mul(p.exp().neg()).sum().mul(p.max()));
    const g = compile((p: Tensor) => [grad(f)(p), hessian(f)(p)]);
    const rng = new Rng(2);
    for (let i = 0; i < 3; i++) {
      const p = randn([3], { rng, dtype: 'float64' });
      expect(g(p).map((t) => t.toArray())).toEqual([grad(f)(p).toArray(), hessian(f)(p).toArray()]);
    }
  });

  it('copies again on every call what the function clones', () => {
    const f = compile((x: Tensor) => x.clone().mul(3));
    expect(f(tensor([1, 2])).toArray()).toEqual([3, 6]);
    expect(f(tensor([5, -1])).toArray()).toEqual([15, -3]);
  });

  it('accumulates gradients across calls without zeroGrad, as backward() does', () => {
    const run = (compiled: boolean) => {
      const w = tensor([0.5, -1.5, 2], { dtype: 'float64' }).requiresGrad_();
      const fn = (x: Tensor) => {
        const l = x.mul(w).tanh().sum();
        l.backward();
        return w.grad!.mul(2); // reads the gradient inside the compiled function
      };
      const f = compiled ? compile(fn) : fn;
      const seen = [1, 2, 3].map((k) => f(tensor([k, -k, 0.5 * k], { dtype: 'float64' })).toArray());
      return { seen, grad: w.grad!.toArray() };
    };
    expect(run(true)).toEqual(run(false));
  });

  it('captures once per argument signature and keeps at most maxCaptures', () => {
    const f = compile((x: Tensor) => x.mul(2).add(1), { maxCaptures: 2 });
    expect(f(tensor([1, 2])).toArray()).toEqual([3, 5]);
    expect(f(tensor([3, 4])).toArray()).toEqual([7, 9]);
    expect(f.captures).toBe(1);
    expect(f(tensor([1, 2, 3])).toArray()).toEqual([3, 5, 7]);
    expect(f(tensor([1], { dtype: 'float64' })).toArray()).toEqual([3]);
    expect(f.captures).toBe(2);
    // Back to the first signature (dropped as least recently used): captured again, still right.
    expect(f(tensor([0, -1])).toArray()).toEqual([1, -1]);
    expect(f.captures).toBe(2);
  });

  it('returns copies that later calls leave alone', () => {
    const f = compile((x: Tensor) => x.exp());
    const a = f(tensor([0]));
    const b = f(tensor([1]));
    expect(a.toArray()).toEqual([1]);
    expect(b.toArray()).toEqual([Math.fround(Math.E)]);
    expect(a.requiresGrad).toBe(false);
  });

  it('refuses what a replay could not follow, naming it, and leaves capture mode', () => {
    const x = tensor([1, 2]);
    expect(() => compile((t: Tensor) => tensor([t.sum().item()]))(x)).toThrow(/compile: item\(\) inside a compiled function/);
    expect(isCapturing()).toBe(false);
    expect(() => compile((t: Tensor) => t.add(randn([2], { rng: new Rng(1) })))(x)).toThrow(/drawing random numbers/);
    expect(() => compile((t: Tensor) => tensor(t.toArray() as number[]))(x)).toThrow(/toArray\(\)/);
    expect(() => compile((t: Tensor) => t)(x.clone().requiresGrad_())).toThrow(/argument 0 \(Tensor\(float32, \[2\]\)\) requires grad/);
    expect(() => (compile((t: Tensor) => t) as (t: unknown) => Tensor)([1, 2])).toThrow(/argument 0 must be a Tensor, got object/);
    expect(() => compile((t: Tensor) => t.toString() as unknown as Tensor)(x)).toThrow(/must return a Tensor, an array of Tensors or nothing/);
    const inner = compile((t: Tensor) => t.neg());
    expect(() => compile((t: Tensor) => inner(t))(x)).toThrow(/nesting is not supported/);
    const w = tensor([1, 2]).requiresGrad_();
    expect(() => compile((t: Tensor) => t.mul(w).sum().backward(undefined, { createGraph: true }))(x)).toThrow(/createGraph/);
    expect(() => compile((t: Tensor) => t, { maxCaptures: 0 })).toThrow(/maxCaptures must be an integer >= 1, got 0/);
    expect(isCapturing()).toBe(false);
  });

  it('checks every replayed batch where the eager op checks its input', () => {
    const f = compile((p: Tensor, y: Tensor) => F.bce(p, y));
    expect(f(tensor([0.5]), tensor([1])).item()).toBeCloseTo(Math.LN2, 6);
    expect(() => f(tensor([1.5]), tensor([1]))).toThrow(/bce: input probabilities must lie in \[0, 1\], got 1.5/);
  });
});
