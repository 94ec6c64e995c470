import { describe, expect, it } from 'vitest';
import { Rng, linspace, tensor, type Tensor } from '../index.js';
import { RBF, RBFNetwork } from './rbf.js';
import { fitRBFThreeStep, fitRBFTwoStep, placeRBFCenters, rbfMSE, rbfWidths, solveRBFOutputWeights } from './rbf-learning.js';

const f64 = { dtype: 'float64' as const };
/** sin(x) at 200 points of [−π, π], as [200, 1]. */
function sinData(): { x: Tensor; y: Tensor } {
  const x = linspace(-Math.PI, Math.PI, 200, f64).reshape([200, 1]);
  return { x, y: x.sin() };
}

describe('acceptance 7: an RBF network of 12 units fits sin(x) on [−π, π]', () => {
  it('two-step learning reaches MSE < 1e-3; three-step learning lowers it by more than 10×', () => {
    const { x, y } = sinData();
    const two = new RBFNetwork(1, 12, 1, { ...f64, rng: new Rng(0) });
    const [centers, weights] = fitRBFTwoStep(two, x, y, { rng: new Rng(1) });
    expect(centers!.stage).toBe('centers');
    expect(weights!.mse).toBeLessThan(1e-3);
    expect(weights!.mse).toBeLessThan(centers!.mse);

    const three = new RBFNetwork(1, 12, 1, { ...f64, rng: new Rng(0) });
    const stages = fitRBFThreeStep(three, x, y, { rng: new Rng(1) });
    expect(stages.map((s) => s.stage)).toEqual(['centers', 'weights', 'fine-tune']);
    expect(stages[1]!.mse).toBe(weights!.mse); // same seeds: step ① and ② are reproduced exactly
    expect(stages[2]!.mse).toBeLessThan(0.1 * stages[1]!.mse);
    expect(rbfMSE(three, x, y)).toBe(stages[2]!.mse);
  });

  it('step ③ moves every parameter: centres, widths and output weights', () => {
    const { x, y } = sinData();
    const net = new RBFNetwork(1, 12, 1, { ...f64, rng: new Rng(0) });
    fitRBFTwoStep(net, x, y, { rng: new Rng(1) });
    const before = Object.values(net.parameters()).map((p) => Float64Array.from(p.data));
    const losses: number[] = [];
    fitRBFThreeStep(net, x, y, { rng: new Rng(1), steps: 200, onStep: (_, l) => losses.push(l) });
    Object.values(net.parameters()).forEach((p, i) => expect(Array.from(p.data)).not.toEqual(Array.from(before[i]!)));
    expect(losses).toHaveLength(200);
    expect(losses[199]!).toBeLessThan(losses[0]!);
  });

  it("with Haykin's d_max/√(2k) widths the least-squares fit is near exact, and step ③ never makes it worse", () => {
    const { x, y } = sinData();
    const net = new RBFNetwork(1, 12, 1, { ...f64, rng: new Rng(0) });
    const stages = fitRBFThreeStep(net, x, y, { rng: new Rng(1), widths: { rule: 'dmax' }, steps: 100 });
    expect(stages[1]!.mse).toBeLessThan(1e-6);
    expect(stages[2]!.mse).toBeLessThanOrEqual(stages[1]!.mse);
  });

  it('works in float32 too (least squares still in float64)', () => {
    const x = linspace(-Math.PI, Math.PI, 200).reshape([200, 1]);
    const net = new RBFNetwork(1, 12, 1, { rng: new Rng(0) });
    const [, w] = fitRBFTwoStep(net, x, x.sin(), { rng: new Rng(1) });
    expect(w!.mse).toBeLessThan(1e-3);
  });
});

describe('classification transfers', () => {
  // Two classes: inside / outside the unit circle (not linearly separable).
  const rng = new Rng(7);
  const pts = Array.from({ length: 120 }, () => [rng.uniform(-2, 2), rng.uniform(-2, 2)]);
  const inside = pts.map(([a, b]) => (a! ** 2 + b! ** 2 < 1 ? 1 : 0));
  const x = tensor(pts, f64);

  it('sigmoid + BCE: two-step starts from logit targets, three-step lowers the BCE, accuracy ≥ 95%', () => {
    const y = tensor(inside.map((v) => [v]), f64);
    const net = new RBFNetwork(2, 10, 1, { ...f64, transfer: 'sigmoid', rng: new Rng(0) });
    const stages = fitRBFThreeStep(net, x, y, { rng: new Rng(1), lr: 1e-2, steps: 500 });
    expect(stages[2]!.loss).toBeLessThan(stages[1]!.loss);
    const p = net.forward(x).data;
    expect(inside.filter((v, i) => (p[i]! > 0.5 ? 1 : 0) === v).length / inside.length).toBeGreaterThanOrEqual(0.95);
  });

  it('softmax + cross-entropy on one-hot targets', () => {
    const y = tensor(inside.map((v) => (v ? [1, 0] : [0, 1])), f64);
    const net = new RBFNetwork(2, 10, 2, { ...f64, transfer: 'softmax', rng: new Rng(0) });
    const stages = fitRBFThreeStep(net, x, y, { rng: new Rng(1), lr: 1e-2, steps: 500 });
    expect(stages[2]!.loss).toBeLessThan(stages[1]!.loss);
    const p = net.forward(x).toArray() as number[][];
    expect(inside.filter((v, i) => (p[i]![0]! > 0.5 ? 1 : 0) === v).length / inside.length).toBeGreaterThanOrEqual(0.95);
  });
});

describe('widths and placement', () => {
  const x = tensor([[0], [1], [4], [5], [10]], f64);
  const centers = tensor([[0.5], [4.5], [10]], f64);
  const a = Int32Array.from([0, 0, 1, 1, 2]);

  it('implements the three rules, and replaces a zero width', () => {
    expect(Array.from(rbfWidths(x, centers, a, { rule: 'nearest' }))).toEqual([4, 4, 5.5]);
    expect(Array.from(rbfWidths(x, centers, a, { rule: 'nearest', neighbors: 2 }))).toEqual([Math.sqrt((16 + 90.25) / 2), Math.sqrt((16 + 30.25) / 2), Math.sqrt((30.25 + 90.25) / 2)]);
    expect(Array.from(rbfWidths(x, centers, a, { rule: 'dmax' }))).toEqual([9.5 / Math.sqrt(6), 9.5 / Math.sqrt(6), 9.5 / Math.sqrt(6)]);
    // Cluster 2 holds one point, so its own spread is 0: it falls back to d_max/√(2k).
    expect(Array.from(rbfWidths(x, centers, a, { rule: 'cluster', scale: 2 }))).toEqual([1, 1, (2 * 9.5) / Math.sqrt(6)]);
  });

  it('never returns a zero width, even for identical points', () => {
    const same = tensor([[3, 3], [3, 3], [3, 3]], f64);
    for (const rule of ['nearest', 'dmax', 'cluster'] as const) {
      const s = rbfWidths(same, tensor([[3, 3], [3, 3]], f64), Int32Array.from([0, 1, 0]), { rule });
      expect(Array.from(s)).toEqual([1, 1]);
    }
  });

  it('placeRBFCenters writes k-means centres and widths into the layer, deterministically', () => {
    const layer = new RBF(1, 3, f64);
    const r = placeRBFCenters(layer, x, { rng: new Rng(0) });
    expect(Array.from(layer.centers.data).sort((p, q) => p - q)).toEqual([0.5, 4.5, 10]);
    expect(Array.from(layer.widths.data)).toEqual(Array.from(r.widths));
    expect(r.inertia).toBe(1);
  });

  it('reports wrong shapes and k > N clearly', () => {
    const net = new RBFNetwork(1, 12, 1, f64);
    expect(() => fitRBFTwoStep(net, x, tensor([[1], [2], [3], [4], [5]], f64))).toThrow('kmeans: k = 12 exceeds the number of points N = 5');
    const small = new RBFNetwork(1, 2, 1, f64);
    expect(() => fitRBFTwoStep(small, x, tensor([1, 2, 3], f64))).toThrow('fitRBFTwoStep: targets must have shape [5, 1] for inputs [5, 1], got [3]');
    expect(() => placeRBFCenters(new RBF(2, 2), x)).toThrow('placeRBFCenters: RBF(2, 2) expects points of shape [N, 2], got [5, 1]');
    expect(() => solveRBFOutputWeights(small, tensor([[1, 2]], f64), tensor([[1]], f64))).toThrow('RBF(1, 2): expected input of shape [N, 1], got shape [1, 2]');
    expect(() => fitRBFThreeStep(small, x, x, { lr: 0 })).toThrow('fitRBFThreeStep: lr must be > 0, got 0');
  });
});
