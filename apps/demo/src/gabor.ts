/**
 * `pnpm demo gabor` — lecture 004's non-convex example, the Gabor model
 * f[x, φ] = sin(φ₀ + 0.06·φ₁x)·exp(−(φ₀ + 0.06·φ₁x)²/8) with L[φ] = Σᵢ (f[xᵢ, φ] − yᵢ)².
 * The lecture's points are not given; ours are 30 points x ~ U(−15, 15) of φ* = (0, 16.6) plus
 * N(0, 0.1²) noise (seeded). Full-batch gradient descent (`sgd` of optim, α 0.1, 2000 steps) from a grid of
 * starts ends in the global minimum, in local minima, or near a saddle point, told apart by the
 * gradient and the eigenvalues of core's `hessian` at the end point. SGD (minibatches of 5, without
 * replacement, lr 1 annealed to 0 by a cosine) from the starts where GD ends in a local minimum: on
 * our points its noise gets it out to the global minimum in few runs (the minima are deep); the
 * table says how many.
 *
 * @module
 */
import { join } from 'node:path';
import { Rng, type Tensor, hessian, narrow, tensor } from '@actorgrad/core';
import { Optimizer, cosineAnnealingLR, sgd } from '@actorgrad/optim';
import { type Live, type LiveRun, noLive } from './live.js';
import { OUT, table, writeFigure } from './plot.js';

const f64 = { dtype: 'float64' as const };
export const PHI_STAR = [0, 16.6];

export function gaborData(seed = 0, n = 30) {
  const rng = new Rng(seed);
  const xs = Array.from({ length: n }, () => rng.uniform(-15, 15));
  const ys = xs.map((x) => gabor(PHI_STAR, x) + 0.1 * rng.normal());
  return { xs, ys };
}

function gabor(phi: number[], x: number): number {
  const z = phi[0]! + 0.06 * phi[1]! * x;
  return Math.sin(z) * Math.exp(-(z * z) / 8);
}

/** L[φ] on the points with indices `idx` (all by default), as a tensor function of φ. */
export function lossFn(xs: number[], ys: number[], idx?: number[]) {
  const rows = idx ?? xs.map((_, i) => i);
  const x = tensor(rows.map((i) => xs[i]!), f64);
  const y = tensor(rows.map((i) => ys[i]!), f64);
  return (phi: Tensor) => {
    const p0 = narrow(phi, 0, 0, 1);
    const p1 = narrow(phi, 0, 1, 1);
    const arg = x.mul(p1).mul(0.06).add(p0);
    return arg.sin().mul(arg.square().div(-8).exp()).sub(y).square().sum();
  };
}

export type Outcome = 'global minimum' | 'local minimum' | 'saddle point';

/** Where GD ends from `start`: the end point, its loss, and what it is (by the Hessian there). */
export function descend(xs: number[], ys: number[], start: number[], { steps = 2000, lr = 0.1, batch = 0, seed = 0, live = undefined as LiveRun | undefined } = {}) {
  const phi = tensor(start, { ...f64, requiresGrad: true });
  const opt = new Optimizer([phi], sgd({ lr: batch > 0 ? cosineAnnealingLR(lr, { tMax: steps }) : lr }));
  const rng = new Rng(seed);
  const full = lossFn(xs, ys);
  const path = [start.slice()];
  let order: number[] = [];
  for (let t = 0; t < steps; t++) {
    let loss = full;
    if (batch > 0) {
      if (order.length < batch) order = Array.from(rng.permutation(xs.length));
      loss = lossFn(xs, ys, order.splice(0, batch));
    }
    opt.zeroGrad();
    const l = loss(phi);
    l.backward();
    opt.step();
    live?.step(t + 1, l.item());
    if (t % 10 === 9) path.push(Array.from(phi.data));
  }
  live?.end();
  const end = Array.from(phi.data);
  return { start, end, path, loss: full(tensor(end, f64)).item() };
}

/** Classifies a point GD stopped at: the global minimum (loss within 1.5× the best seen), or, by the Hessian's eigenvalues, a local minimum or a saddle. */
export function classify(xs: number[], ys: number[], end: number[], loss: number, best: number): Outcome {
  if (loss <= best * 1.5) return 'global minimum';
  const H = hessian(lossFn(xs, ys))(tensor(end, f64)).data;
  const [a, b, d] = [H[0]!, H[1]!, H[3]!];
  const disc = Math.sqrt(((a - d) / 2) ** 2 + b * b);
  const lo = (a + d) / 2 - disc;
  return lo > 0 ? 'local minimum' : 'saddle point';
}

export async function runGabor({ out = join(OUT, 'gabor'), log = console.log, steps = 2000, live = noLive as Live } = {}) {
  const { xs, ys } = gaborData();
  const starts: number[][] = [];
  for (const p0 of [-8, -4, 0, 4, 8]) for (const p1 of [4, 10, 16, 22]) starts.push([p0, p1]);
  const run = (what: string, s: number[]) => live.run(`${what} from (${s.join(', ')})`, { optimizer: what, epochs: steps });
  const runs = starts.map((s) => descend(xs, ys, s, { steps, live: run('GD lr 0.1', s) }));
  const best = Math.min(...runs.map((r) => r.loss));
  const classified = runs.map((r) => ({ ...r, outcome: classify(xs, ys, r.end, r.loss, best) }));
  const count = (o: Outcome) => classified.filter((r) => r.outcome === o).length;
  // SGD from every start where GD stopped in a local minimum, two seeds each.
  const stuck = classified.filter((r) => r.outcome === 'local minimum');
  const sgdRuns = stuck.flatMap((r) => [0, 1].map((seed) => descend(xs, ys, r.start, { steps, batch: 5, seed, lr: 1, live: run(`SGD seed ${seed}`, r.start) })));
  const escaped = sgdRuns.filter((r) => r.loss <= best * 1.5);
  log(
    table([
      { what: `GD from ${starts.length} starts: global minimum`, lecture: 'if it starts in the right valley', ours: `${count('global minimum')} starts, loss ${best.toFixed(4)}` },
      { what: 'GD: a local minimum', lecture: 'otherwise', ours: `${count('local minimum')} starts` },
      { what: 'GD: near a saddle point', lecture: 'or stuck near a saddle', ours: `${count('saddle point')} starts` },
      { what: `SGD (batch 5, lr 1 cosine-annealed) from the ${stuck.length} local-minimum starts, 2 seeds each`, lecture: 'can escape local minima', ours: `${escaped.length}/${sgdRuns.length} runs reach the global minimum` },
    ]),
  );
  const figures = [await gaborFigure(out, xs, ys, classified, escaped)];
  for (const f of figures) log(`figure: ${f}`);
  return { runs: classified, best, stuck, sgdRuns, escaped: escaped.length, figures };
}

async function gaborFigure(out: string, xs: number[], ys: number[], runs: (ReturnType<typeof descend> & { outcome: Outcome })[], sgdRuns: ReturnType<typeof descend>[]) {
  const grid: { p0: number; p0b: number; p1: number; p1b: number; logLoss: number }[] = [];
  for (let p0 = -10; p0 < 10; p0 += 0.4) {
    for (let p1 = 2; p1 < 24; p1 += 0.44) {
      const l = xs.reduce((s, x, i) => s + (gabor([p0 + 0.2, p1 + 0.22], x) - ys[i]!) ** 2, 0);
      grid.push({ p0, p0b: p0 + 0.4, p1, p1b: p1 + 0.44, logLoss: Math.log10(l) });
    }
  }
  const paths = [
    ...runs.flatMap((r, k) => r.path.map(([p0, p1], i) => ({ p0, p1, i, run: `gd-${k}`, kind: `GD → ${r.outcome}` }))),
    ...sgdRuns.slice(0, 1).flatMap((r) => r.path.map(([p0, p1], i) => ({ p0, p1, i, run: 'sgd', kind: 'SGD escaping from a local-minimum start' }))),
  ];
  return writeFigure(out, 'loss-surface', {
    title: 'Lecture 004: the Gabor model, log10 L[φ] and where descent ends',
    width: 440,
    height: 380,
    layer: [
      { data: { values: grid }, mark: 'rect', encoding: { x: { field: 'p0', type: 'quantitative', title: 'φ0', scale: { domain: [-10, 10] } }, x2: { field: 'p0b' }, y: { field: 'p1', type: 'quantitative', title: 'φ1', scale: { domain: [2, 24] } }, y2: { field: 'p1b' }, color: { field: 'logLoss', type: 'quantitative', scale: { scheme: 'greys' }, title: 'log10 L' } } },
      { data: { values: paths }, mark: { type: 'line', strokeWidth: 1.5, clip: true }, encoding: { x: { field: 'p0', type: 'quantitative' }, y: { field: 'p1', type: 'quantitative' }, order: { field: 'i' }, detail: { field: 'run' }, stroke: { field: 'kind', type: 'nominal', title: null } } },
    ],
    resolve: { scale: { color: 'independent' } },
  } as never);
}
