import { describe, expect, it } from 'vitest';
import { F, Rng, gradcheck, randn, tensor, type Tensor } from '../index.js';
import { moduleFromSpec } from './module.js';
import { RBF, RBFNetwork, rbfFeatures, squaredDistances } from './rbf.js';

const f64 = { dtype: 'float64' as const };

describe('RBF layer', () => {
  it('computes φ(x) = [1, exp(−‖x − μᵢ‖²/2σᵢ²)…] of shape [N, 1 + k]', () => {
    const layer = new RBF(2, 3, f64);
    layer.centers.data.set([0, 0, 1, 2, -1, 0.5]);
    layer.widths.data.set([1, 0.5, 2]);
    const x = tensor([[0, 0], [1, 1], [3, -2]], f64);
    const phi = layer.forward(x);
    expect(phi.shape).toEqual([3, 4]);
    const mu = [[0, 0], [1, 2], [-1, 0.5]];
    const sigma = [1, 0.5, 2];
    const rows = phi.toArray() as number[][];
    (x.toArray() as number[][]).forEach((p, n) => {
      expect(rows[n]![0]).toBe(1);
      mu.forEach((m, i) => {
        const d2 = (p[0]! - m[0]!) ** 2 + (p[1]! - m[1]!) ** 2;
        expect(rows[n]![i + 1]).toBeCloseTo(Math.exp(-d2 / (2 * sigma[i]! ** 2)), 14);
      });
    });
    const noBias = new RBF(2, 3, { ...f64, includeBias: false });
    noBias.loadStateDict(layer.stateDict());
    expect(noBias.outFeatures).toBe(3);
    expect(noBias.forward(x).toArray()).toEqual(rows.map((r) => r.slice(1)));
  });

  it('has the parameters centers [k, d] and widths [k], seeded', () => {
    const a = new RBF(3, 5, { rng: new Rng(4) });
    const b = new RBF(3, 5, { rng: new Rng(4) });
    expect(Object.keys(a.parameters())).toEqual(['centers', 'widths']);
    expect(a.centers.shape).toEqual([5, 3]);
    expect(a.widths.shape).toEqual([5]);
    expect(Array.from(a.widths.data)).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(a.centers.data)).toEqual(Array.from(b.centers.data));
    expect(a.centers.requiresGrad && a.widths.requiresGrad).toBe(true);
  });

  it('passes gradcheck w.r.t. input, centres and widths (float64), with and without the bias feature', () => {
    const rng = new Rng(1);
    const x = randn([6, 3], { rng, ...f64 });
    const mu = randn([4, 3], { rng, ...f64 });
    const sigma = tensor([0.8, 1.3, -1.1, 2], f64); // a negative σ is legal: only σ² enters
    for (const includeBias of [true, false]) {
      for (const method of ['direct', 'expanded'] as const) {
        const r = gradcheck((a, m, s) => rbfFeatures(a, m, s, { includeBias, method }), [x, mu, sigma]);
        expect(r.maxError, `${includeBias} ${method}: ${r.worst}`).toBeLessThan(1e-7);
        expect(r.analytic.every((g) => g.some((v) => v !== 0))).toBe(true);
      }
    }
  });

  it('the layer delivers the same gradients to its parameters through backward()', () => {
    const rng = new Rng(2);
    const layer = new RBF(2, 3, { ...f64, rng });
    const x = randn([5, 2], { rng, ...f64 });
    const target = randn([5, 4], { rng, ...f64 });
    const loss = (a: Tensor, m: Tensor, s: Tensor) => F.mse(rbfFeatures(a, m, s), target);
    const ref = gradcheck(loss, [x, layer.centers, layer.widths]);
    expect(ref.ok).toBe(true);
    F.mse(layer.forward(x), target).backward();
    expect(Array.from(layer.centers.grad!.data)).toEqual(Array.from(ref.analytic[1]!));
    expect(Array.from(layer.widths.grad!.data)).toEqual(Array.from(ref.analytic[2]!));
  });

  it('direct and expanded squared distances agree', () => {
    const rng = new Rng(3);
    const x = randn([20, 5], { rng, ...f64 });
    const mu = randn([7, 5], { rng, ...f64 });
    const a = squaredDistances(x, mu, 'direct');
    const b = squaredDistances(x, mu, 'expanded');
    expect(a.shape).toEqual([20, 7]);
    expect(Math.max(...Array.from(a.data, (v, i) => Math.abs(v - b.data[i]!)))).toBeLessThan(1e-12);
  });

  it('names the layer and both shapes on a wrong input', () => {
    const layer = new RBF(2, 3);
    expect(() => layer.forward(tensor([[1, 2, 3]]))).toThrow('RBF(2, 3): expected input of shape [N, 2], got shape [1, 3]');
    expect(() => layer.forward(tensor([1, 2]))).toThrow('RBF(2, 3): expected input of shape [N, 2], got shape [2]');
    expect(() => new RBF(0, 3)).toThrow('RBF: inFeatures must be a positive integer, got 0');
    expect(() => rbfFeatures(tensor([[1, 2]]), tensor([[0, 0]]), tensor([1, 1]))).toThrow('rbfFeatures: widths must have shape [1] to match centres [1, 2], got [2]');
  });

  it('round-trips through spec()', () => {
    const layer = new RBF(4, 6, { ...f64, includeBias: false });
    expect(layer.spec()).toEqual({ type: 'RBF', args: { inFeatures: 4, numUnits: 6, includeBias: false, dtype: 'float64' } });
    const copy = moduleFromSpec(layer.spec()) as RBF;
    expect(copy).toBeInstanceOf(RBF);
    expect(copy.spec()).toEqual(layer.spec());
  });
});

describe('RBFNetwork', () => {
  it('is RBF → bias-free Linear(1 + k → out) → g, with dotted parameter names', () => {
    const net = new RBFNetwork(2, 5, 3, { rng: new Rng(0) });
    expect(Object.keys(net.parameters())).toEqual(['rbf.centers', 'rbf.widths', 'linear.weight']);
    expect(net.linear.weight.shape).toEqual([3, 6]);
    const x = randn([7, 2], { rng: new Rng(1) });
    const y = net.forward(x);
    expect(y.shape).toEqual([7, 3]);
    expect(Array.from(y.data)).toEqual(Array.from(net.linear.forward(net.rbf.forward(x)).data));
    expect(new RBFNetwork(2, 5, 3, { includeBias: false }).linear.weight.shape).toEqual([3, 5]);
  });

  it('applies the transfer function: sigmoid for binary, softmax for multi-class', () => {
    const x = randn([4, 2], { rng: new Rng(2) });
    const sig = new RBFNetwork(2, 3, 1, { transfer: 'sigmoid', rng: new Rng(0) });
    expect(Array.from(sig.forward(x).data)).toEqual(Array.from(sig.logits(x).sigmoid().data));
    const soft = new RBFNetwork(2, 3, 4, { transfer: 'softmax', rng: new Rng(0) });
    for (const row of soft.forward(x).toArray() as number[][]) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(() => new RBFNetwork(2, 3, 1, { transfer: 'tanh' as 'identity' })).toThrow("RBFNetwork: transfer must be 'identity', 'sigmoid' or 'softmax', got \"tanh\"");
  });

  it('round-trips through spec() and moduleFromSpec, and its state dict loads into the copy', () => {
    const net = new RBFNetwork(3, 4, 2, { transfer: 'softmax', ...f64, rng: new Rng(5) });
    const copy = moduleFromSpec(net.spec()) as RBFNetwork;
    expect(copy.spec()).toEqual(net.spec());
    copy.loadStateDict(net.stateDict());
    const x = randn([3, 3], { rng: new Rng(6), ...f64 });
    expect(Array.from(copy.forward(x).data)).toEqual(Array.from(net.forward(x).data));
  });
});
