/**
 * `pnpm demo regression` — lecture 000's regression example: N = 30 samples of y = 3x + 2 +
 * U(−0.1, 0.1), the model ρ(x) = θᵀ[1, x], the ℓ₂ loss summed over the samples, θ₀ = (10, 5),
 * α = 0.005, 1000 full-batch iterations of gradient descent, momentum (β = 0.6) and Nesterov momentum
 * (β = 0.8), plus AdaGrad, RMSProp and Adam; all through `@actorgrad/optim` on core's autograd.
 *
 * The lecture does not give its 30 samples, so its end points cannot be matched digit for digit:
 * the table prints them beside ours and each one's distance from the least-squares fit of its data
 * (ours computed in closed form). `@actorgrad/optim`'s momentum is PyTorch's (v ← βv + g,
 * θ ← θ − αv), the same θ path as the lecture's v ← βv − αg, θ ← θ + v; its Nesterov form is
 * PyTorch's, whose θ is the lecture's look-ahead point θ + βv.
 *
 * @module
 */
import { join } from 'node:path';
import { type Tensor, data, tensor } from '@actorgrad/core';
import { Optimizer, adagrad, adam, rmsprop, sgd } from '@actorgrad/optim';
import { type Live, type LiveRun, noLive } from './live.js';
import { OUT, table, writeFigure } from './plot.js';

const f64 = { dtype: 'float64' as const };

export interface Method {
  name: string;
  /** The lecture's θ₁₀₀₀ (intercept, slope), where it prints one. */
  lecture: [number, number] | null;
  make: () => ReturnType<typeof sgd>;
}

export const METHODS: Method[] = [
  { name: 'GD (α 0.005)', lecture: [1.9882, 2.9975], make: () => sgd({ lr: 0.005 }) },
  { name: 'momentum (β 0.6)', lecture: [1.9837, 2.9933], make: () => sgd({ lr: 0.005, momentum: 0.6 }) },
  { name: 'Nesterov (β 0.8)', lecture: [1.9738, 2.9914], make: () => sgd({ lr: 0.005, momentum: 0.8, nesterov: true }) },
  { name: 'AdaGrad (lr 0.5)', lecture: null, make: () => adagrad({ lr: 0.5 }) },
  { name: 'RMSProp (lr 0.05)', lecture: null, make: () => rmsprop({ lr: 0.05 }) },
  { name: 'Adam (lr 0.05)', lecture: null, make: () => adam({ lr: 0.05 }) },
];

/** The design matrix [1, x] and targets of lecture 000's set (seeded), optionally with x z-scored. */
export function regressionData(seed = 0, zscore = false): { X: Tensor; y: Tensor; xs: number[]; ys: number[] } {
  const d = data.linearRegressionData({ n: 30, seed, dtype: 'float64' });
  let xs = Array.from(d.x.data);
  const ys = Array.from(d.y.data);
  if (zscore) {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    xs = xs.map((v) => (v - mean) / sd);
  }
  return { X: tensor(xs.map((v) => [1, v]), f64), y: tensor(ys.map((v) => [v]), f64), xs, ys };
}

/** The least-squares fit (intercept, slope) of the data, in closed form. */
export function leastSquares(xs: number[], ys: number[]): [number, number] {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const sxy = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0);
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  return [my - (sxy / sxx) * mx, sxy / sxx];
}

/** J(θ) = Σᵢ (yᵢ − θᵀ[1, xᵢ])². */
const lossOf = (X: Tensor, y: Tensor, theta: Tensor) => X.matmul(theta).sub(y).square().sum();

/** `iterations` full-batch steps of `method` from θ₀ = (10, 5): the path and the loss at each step. */
export function descend(method: Method, X: Tensor, y: Tensor, iterations = 1000, live?: LiveRun) {
  const theta = tensor([[10], [5]], { ...f64, requiresGrad: true });
  const opt = new Optimizer([theta], method.make());
  const path: [number, number][] = [[10, 5]];
  const losses: number[] = [];
  for (let t = 0; t < iterations; t++) {
    opt.zeroGrad();
    const l = lossOf(X, y, theta);
    losses.push(l.item());
    l.backward();
    opt.step();
    path.push([theta.data[0]!, theta.data[1]!]);
    live?.step(t + 1, losses[t]!);
  }
  losses.push(lossOf(X, y, theta).item());
  live?.end();
  return { path, losses, end: path[path.length - 1]! };
}

const dist = (a: [number, number], b: [number, number]) => Math.hypot(a[0] - b[0], a[1] - b[1]);
const pair = (p: [number, number]) => `(${p[0].toFixed(4)}, ${p[1].toFixed(4)})`;

export async function runRegression({ out = join(OUT, 'regression'), log = console.log, iterations = 1000, live = noLive as Live } = {}) {
  const { X, y, xs, ys } = regressionData();
  const fit = leastSquares(xs, ys);
  const runs = METHODS.map((m) => ({ method: m, ...descend(m, X, y, iterations, live.run(`regression ${m.name}`, { optimizer: m.name, epochs: iterations })) }));
  log(`our 30 samples' least-squares fit: ${pair(fit)} (the lecture's data is not given; its fit is unknown)`);
  log("the lecture's three end points differ from each other by up to 0.015, so its runs stopped short of its fit or were stochastic; ours are full-batch");
  log(
    table(
      runs.map((r) => ({
        what: `θ${iterations}, ${r.method.name}`,
        lecture: r.method.lecture ? pair(r.method.lecture) : '—',
        ours: pair(r.end),
        note: `distance from our fit ${dist(r.end, fit).toExponential(2)}; loss ${r.losses[r.losses.length - 1]!.toFixed(4)}`,
      })),
    ),
  );
  const raw = descend(METHODS[0]!, X, y, iterations);
  const z = regressionData(0, true);
  const scaled = descend(METHODS[0]!, z.X, z.y, iterations);
  log(`GD, raw x vs z-scored x: loss after 50 steps ${raw.losses[50]!.toFixed(4)} vs ${scaled.losses[50]!.toFixed(4)}`);
  const figures = await regressionFigures(out, runs, X, y, { raw: raw.losses, zscored: scaled.losses });
  for (const f of figures) log(`figure: ${f}`);
  return { fit, runs, raw, scaled, figures };
}

async function regressionFigures(out: string, runs: ({ method: Method } & ReturnType<typeof descend>)[], X: Tensor, y: Tensor, curves: { raw: number[]; zscored: number[] }) {
  const grid: { b: number; b2: number; w: number; w2: number; logLoss: number }[] = [];
  for (let b = -2; b < 11; b += 0.25) {
    for (let w = 0; w < 6; w += 0.125) grid.push({ b, b2: b + 0.25, w, w2: w + 0.125, logLoss: Math.log10(lossOf(X, y, tensor([[b + 0.125], [w + 0.0625]], f64)).item()) });
  }
  const paths = runs.flatMap((r) => r.path.filter((_, i) => i % 5 === 0).map(([b, w], i) => ({ b, w, i, method: r.method.name })));
  const losses = runs.flatMap((r) => r.losses.map((loss, t) => ({ t, loss, method: r.method.name })));
  const scaling = [...curves.raw.map((loss, t) => ({ t, loss, x: 'raw x' })), ...curves.zscored.map((loss, t) => ({ t, loss, x: 'z-scored x' }))];
  return [
    await writeFigure(out, 'paths', {
      title: 'Lecture 000: parameter paths from θ0 = (10, 5) over log10 J(θ)',
      width: 420,
      height: 320,
      layer: [
        { data: { values: grid }, mark: 'rect', encoding: { x: { field: 'b', type: 'quantitative', title: 'θ0 (intercept)' }, x2: { field: 'b2' }, y: { field: 'w', type: 'quantitative', title: 'θ1 (slope)' }, y2: { field: 'w2' }, color: { field: 'logLoss', type: 'quantitative', scale: { scheme: 'greys' }, title: 'log10 J' } } },
        { data: { values: paths }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x: { field: 'b', type: 'quantitative' }, y: { field: 'w', type: 'quantitative' }, order: { field: 'i' }, stroke: { field: 'method', type: 'nominal', title: 'method' } } },
      ],
      resolve: { scale: { color: 'independent' } },
    } as never),
    await writeFigure(out, 'loss', {
      title: 'J(θ) per iteration',
      data: { values: losses },
      mark: 'line',
      width: 420,
      height: 260,
      encoding: { x: { field: 't', type: 'quantitative', title: 'iteration' }, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'J(θ)' }, color: { field: 'method', type: 'nominal' } },
    }),
    await writeFigure(out, 'scaling', {
      title: 'GD (α 0.005): raw x vs z-scored x',
      data: { values: scaling },
      mark: 'line',
      width: 420,
      height: 260,
      encoding: { x: { field: 't', type: 'quantitative', title: 'iteration' }, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'J(θ)' }, color: { field: 'x', type: 'nominal', title: null } },
    }),
  ];
}
