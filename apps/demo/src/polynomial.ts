/**
 * `pnpm demo polynomial` — lecture 002's model fitting: the cubic f = w₁x³ + w₂x² + w₃x + w₄ fitted
 * by gradient descent on l = Σ (f(xᵢ) − yᵢ)², from the lecture's four initialisations
 * ([−9, 2, 1, 30], [−9, 2, 1, −20], [−40, 0, 0, 0], [0, 0, 0, 0]) and with its two learning rates
 * from zeros (2·10⁻⁵ and 7.5·10⁻⁴). The lecture shows its fits as pictures and gives no data; ours
 * are 30 points of y = x³ − 2x² − 3x + 5 + N(0, 0.5²) on [−2, 2] (seeded), and the property shown
 * is the lecture's: every start reaches the same least-squares cubic, and the small rate is far
 * slower.
 *
 * @module
 */
import { join } from 'node:path';
import { Rng, type Tensor, tensor } from '@actorgrad/core';
import { Optimizer, sgd } from '@actorgrad/optim';
import { type Live, type LiveRun, noLive } from './live.js';
import { OUT, table, writeFigure } from './plot.js';

const f64 = { dtype: 'float64' as const };
export const TRUE_W = [1, -2, -3, 5];
export const INITS: number[][] = [
  [-9, 2, 1, 30],
  [-9, 2, 1, -20],
  [-40, 0, 0, 0],
  [0, 0, 0, 0],
];

export function cubicData(seed = 0, n = 30) {
  const rng = new Rng(seed);
  const xs = Array.from({ length: n }, (_, i) => -2 + (4 * i) / (n - 1));
  const ys = xs.map((x) => TRUE_W[0]! * x ** 3 + TRUE_W[1]! * x ** 2 + TRUE_W[2]! * x + TRUE_W[3]! + 0.5 * rng.normal());
  return { xs, ys, X: tensor(xs.map((x) => [x ** 3, x ** 2, x, 1]), f64), y: tensor(ys.map((v) => [v]), f64) };
}

const lossOf = (X: Tensor, y: Tensor, w: Tensor) => X.matmul(w).sub(y).square().sum();

/** Gradient descent from `w0` at `lr` for `iterations` steps: the loss per step and the final weights. */
export function fitCubic(X: Tensor, y: Tensor, w0: number[], lr: number, iterations: number, live?: LiveRun) {
  const w = tensor(w0.map((v) => [v]), { ...f64, requiresGrad: true });
  const opt = new Optimizer([w], sgd({ lr }));
  const losses: number[] = [];
  for (let t = 0; t < iterations; t++) {
    opt.zeroGrad();
    const l = lossOf(X, y, w);
    losses.push(l.item());
    l.backward();
    opt.step();
    live?.step(t + 1, losses[t]!, lr);
  }
  losses.push(lossOf(X, y, w).item());
  live?.end();
  return { w: Array.from(w.data), losses };
}

/** The least-squares cubic by the normal equations (Gaussian elimination on XᵀX w = Xᵀy). */
export function leastSquaresCubic(xs: number[], ys: number[]): number[] {
  const rows = xs.map((x) => [x ** 3, x ** 2, x, 1]);
  const a = [0, 1, 2, 3].map((i) => [...[0, 1, 2, 3].map((j) => rows.reduce((s, r) => s + r[i]! * r[j]!, 0)), rows.reduce((s, r, k) => s + r[i]! * ys[k]!, 0)]);
  for (let c = 0; c < 4; c++) {
    const p = a.slice(c).reduce((best, r, k) => (Math.abs(r[c]!) > Math.abs(a[best]![c]!) ? k + c : best), c);
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < 5; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return a.map((r, i) => r[4]! / r[i]!);
}

const fmtW = (w: number[]) => `[${w.map((v) => v.toFixed(3)).join(', ')}]`;

export async function runPolynomial({ out = join(OUT, 'polynomial'), log = console.log, iterations = 20_000, live = noLive as Live } = {}) {
  const { xs, ys, X, y } = cubicData();
  const ls = leastSquaresCubic(xs, ys);
  const run = (name: string, lr: number) => live.run(`cubic ${name}`, { optimizer: `gd lr ${lr}`, epochs: iterations });
  const fits = INITS.map((w0) => ({ w0, ...fitCubic(X, y, w0, 7.5e-4, iterations, run(`from ${fmtW(w0)}`, 7.5e-4)) }));
  const rates = [2e-5, 7.5e-4].map((lr) => ({ lr, ...fitCubic(X, y, [0, 0, 0, 0], lr, iterations, run(`from zeros, lr ${lr}`, lr)) }));
  log(`least-squares cubic of our data: ${fmtW(ls)} (true ${fmtW(TRUE_W)})`);
  log(
    table([
      ...fits.map((f) => ({ what: `from w0 = ${fmtW(f.w0)}, lr 7.5e-4`, lecture: '(a picture)', ours: fmtW(f.w), note: `loss ${f.losses.at(-1)!.toFixed(4)}` })),
      ...rates.map((r) => ({ what: `from zeros, lr ${r.lr}`, lecture: '(a picture)', ours: fmtW(r.w), note: `loss after 1000 steps ${r.losses[1000]!.toFixed(3)}, after ${iterations} ${r.losses.at(-1)!.toFixed(4)}` })),
    ]),
  );
  const figures = await polynomialFigures(out, xs, ys, fits, rates);
  for (const f of figures) log(`figure: ${f}`);
  return { leastSquares: ls, fits, rates, figures };
}

async function polynomialFigures(out: string, xs: number[], ys: number[], fits: { w0: number[]; w: number[] }[], rates: { lr: number; losses: number[] }[]) {
  const grid = Array.from({ length: 81 }, (_, i) => -2 + i / 20);
  const cubic = (w: number[], x: number) => w[0]! * x ** 3 + w[1]! * x ** 2 + w[2]! * x + w[3]!;
  const curves = fits.flatMap((f) => [
    ...grid.map((x) => ({ x, y: cubic(f.w0, x), start: fmtW(f.w0), stage: 'initial' })),
    ...grid.map((x) => ({ x, y: cubic(f.w, x), start: fmtW(f.w0), stage: 'fitted' })),
  ]);
  const points = xs.map((x, i) => ({ x, y: ys[i]! }));
  const losses = rates.flatMap((r) => r.losses.filter((_, t) => t % 50 === 0).map((loss, i) => ({ t: i * 50, loss, lr: String(r.lr) })));
  return [
    await writeFigure(out, 'initialisations', {
      title: "Lecture 002: the cubic from the lecture's four initialisations (lr 7.5e-4)",
      columns: 2,
      data: { values: [...curves, ...fits.flatMap((f) => points.map((p) => ({ ...p, start: fmtW(f.w0), stage: 'data' })))] },
      facet: { field: 'start', type: 'nominal', title: null },
      spec: {
        width: 220,
        height: 200,
        layer: [
          {
            transform: [{ filter: "datum.stage !== 'data'" }],
            mark: { type: 'line', clip: true },
            encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative', scale: { domain: [-40, 40] } }, color: { field: 'stage', type: 'nominal', scale: { domain: ['initial', 'fitted'], range: ['#aaaaaa', '#e45756'] } } },
          },
          { transform: [{ filter: "datum.stage === 'data'" }], mark: { type: 'point', filled: true, size: 18, color: '#4c78a8' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
        ],
      },
    } as never),
    await writeFigure(out, 'learning-rates', {
      title: 'From zeros: loss per step at the two learning rates',
      data: { values: losses },
      mark: 'line',
      width: 420,
      height: 260,
      encoding: { x: { field: 't', type: 'quantitative', title: 'step' }, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' } }, color: { field: 'lr', type: 'nominal', title: 'lr' } },
    }),
  ];
}
