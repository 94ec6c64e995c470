/**
 * `pnpm demo universal` — universal approximation (lectures 000 and 004):
 *
 * 1. The 1-3-1 ReLU network of 004 (10 parameters): hᵈ = ReLU(θ_d0 + θ_d1·x), y = φ₀ + Σ φ_d·hᵈ.
 *    Its pre-activations, the joints where a unit turns on or off (x = −θ_d0/θ_d1), the activation
 *    pattern of each piece and the output, piecewise linear with a slope change of φ_d·θ_d1 at the
 *    d-th joint — all read off core's autograd (the slopes are ∂y/∂x).
 * 2. Error against the number of hidden units D: 1-D-1 ReLU networks with their joints at d/D (the
 *    construction of the theorem's proof) fitted to sin(2πx) + ½·sin(5πx) on [0, 1]; the error
 *    falls as D grows.
 * 3. The RBF network of 000: 12 Gaussian units on sin(x), 2-step learning (k-means++ centres, then
 *    least-squares output weights) vs 3-step (then gradient fine-tuning of everything).
 *
 * @module
 */
import { join } from 'node:path';
import { F, Rng, type Tensor, grad, nn, noGrad, tensor } from '@actorgrad/core';
import { Optimizer, adam } from '@actorgrad/optim';
import { type Live, type LiveRun, noLive } from './live.js';
import { OUT, table, writeFigure } from './plot.js';

const f64 = { dtype: 'float64' as const };
/** θ (3 units: bias, slope) and φ (bias, 3 weights) of the 1-3-1 network. */
export const THETA = [
  [0.3, -1.0],
  [-1.0, 2.0],
  [-0.5, 0.65],
];
export const PHI = [-0.3, 2.0, -1.0, 7.0];

function shallow(x: Tensor): { pre: Tensor; y: Tensor } {
  const w = tensor([THETA.map((t) => t[1]!)], f64);
  const b = tensor(THETA.map((t) => t[0]!), f64);
  const pre = x.matmul(w).add(b);
  const y = pre.relu().matmul(tensor(PHI.slice(1).map((p) => [p]), f64)).add(PHI[0]!);
  return { pre, y };
}

export function shallowNetwork(n = 201) {
  const xs = Array.from({ length: n }, (_, i) => i / (n - 1));
  const x = tensor(xs.map((v) => [v]), f64);
  const { pre, y } = noGrad(() => shallow(x));
  const slope = grad((t: Tensor) => shallow(t).y.sum())(x);
  const joints = THETA.map(([b, w]) => -b! / w!).sort((a, c) => a - c);
  const pattern = xs.map((_, i) => THETA.map((_, d) => (pre.data[i * 3 + d]! > 0 ? '1' : '0')).join(''));
  return { xs, pre: Array.from(pre.data), y: Array.from(y.data), slope: Array.from(slope.data), joints, pattern };
}

const target = (x: number) => Math.sin(2 * Math.PI * x) + 0.5 * Math.sin(5 * Math.PI * x);

/**
 * The training MSE of a 1-D-1 ReLU network on the target on [0, 1], built as in the proof of the
 * universal approximation theorem: unit d has its joint at d/D (hᵈ = ReLU(x − d/D)), so the network
 * is a piecewise linear function with D joints; only the output layer is fitted (a convex problem:
 * Adam, full batch). For D = 1, 2, 4, … the joint sets are nested, so the error can only fall.
 */
export function fitWidth(D: number, steps = 3000, live?: LiveRun): number {
  const xs = Array.from({ length: 100 }, (_, i) => i / 99);
  const x = tensor(xs.map((v) => [v]), f64);
  const y = tensor(xs.map((v) => [target(v)]), f64);
  const hidden = noGrad(() => x.sub(tensor([Array.from({ length: D }, (_, d) => d / D)], f64)).relu());
  const out = new nn.Linear(D, 1, { ...f64, rng: new Rng(0) });
  const opt = new Optimizer(out.parameters(), adam({ lr: 0.05 }));
  for (let t = 0; t < steps; t++) {
    opt.zeroGrad();
    const l = F.mse(out.forward(hidden), y);
    l.backward();
    opt.step();
    live?.step(t + 1, l.item(), 0.05);
  }
  live?.end();
  return noGrad(() => F.mse(out.forward(hidden), y).item());
}

export function rbfStages() {
  const xs = Array.from({ length: 64 }, (_, i) => -Math.PI + (2 * Math.PI * i) / 63);
  const x = tensor(xs.map((v) => [v]), f64);
  const y = tensor(xs.map((v) => [Math.sin(v)]), f64);
  const two = new nn.RBFNetwork(1, 12, 1, { ...f64, rng: new Rng(0) });
  const twoStep = nn.fitRBFTwoStep(two, x, y, { rng: new Rng(1) });
  const three = new nn.RBFNetwork(1, 12, 1, { ...f64, rng: new Rng(0) });
  const threeStep = nn.fitRBFThreeStep(three, x, y, { rng: new Rng(1) });
  return { twoStep: twoStep.at(-1)!.mse, threeStep: threeStep.at(-1)!.mse };
}

export const WIDTHS = [1, 2, 4, 8, 16, 32];

export async function runUniversal({ out = join(OUT, 'universal'), log = console.log, steps = 3000, live = noLive as Live } = {}) {
  const s = shallowNetwork();
  const widths = WIDTHS.map((D) => ({ D, mse: fitWidth(D, steps, live.run(`1-${D}-1 ReLU net`, { optimizer: 'adam lr 0.05, output layer only', epochs: steps })) }));
  const rbf = rbfStages();
  const pieces = new Set(s.pattern).size;
  log(
    table([
      { what: '1-3-1 ReLU network: parameters', lecture: '10', ours: String(3 * 2 + 4) },
      { what: '… joints (x where a unit turns on/off)', lecture: '3', ours: s.joints.map((j) => j.toFixed(3)).join(', ') },
      { what: '… linear pieces on [0, 1] (activation patterns)', lecture: 'up to 4', ours: String(pieces) },
      ...widths.map((w) => ({ what: `1-${w.D}-1 ReLU net, training MSE`, lecture: 'falls with D', ours: w.mse.toExponential(2) })),
      { what: 'RBF, 12 units on sin(x): 2-step MSE', lecture: '—', ours: rbf.twoStep.toExponential(2) },
      { what: 'RBF: 3-step MSE (after fine-tuning)', lecture: 'lower than 2-step', ours: rbf.threeStep.toExponential(2) },
    ]),
  );
  const series = s.xs.flatMap((x, i) => [
    ...THETA.map((_, d) => ({ x, value: s.pre[i * 3 + d]!, curve: `pre-activation ${d + 1}`, pattern: s.pattern[i] })),
    { x, value: s.y[i]!, curve: 'output y', pattern: s.pattern[i] },
  ]);
  const figures = [
    await writeFigure(out, 'shallow', {
      title: 'Lecture 004: a 1-3-1 ReLU network (shading: which units are on)',
      width: 460,
      height: 280,
      layer: [
        { data: { values: s.xs.map((x, i) => ({ x, x2: x + 1 / 200, pattern: s.pattern[i] })) }, mark: { type: 'rect', opacity: 0.25 }, encoding: { x: { field: 'x', type: 'quantitative' }, x2: { field: 'x2' }, color: { field: 'pattern', type: 'nominal', title: 'units on' } } },
        { data: { values: series }, mark: 'line', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, strokeDash: { field: 'curve', type: 'nominal', title: null }, detail: { field: 'curve' } } },
        { data: { values: s.joints.map((j) => ({ j })) }, mark: { type: 'rule', strokeDash: [2, 2] }, encoding: { x: { field: 'j', type: 'quantitative' } } },
      ],
    } as never),
    await writeFigure(out, 'width', {
      title: 'Training MSE of 1-D-1 ReLU networks against D',
      data: { values: widths },
      mark: { type: 'line', point: true },
      width: 360,
      height: 240,
      encoding: { x: { field: 'D', type: 'quantitative', scale: { type: 'log', base: 2 } }, y: { field: 'mse', type: 'quantitative', scale: { type: 'log' }, title: 'MSE' } },
    }),
  ];
  for (const f of figures) log(`figure: ${f}`);
  return { shallow: s, pieces, widths, rbf, figures };
}
