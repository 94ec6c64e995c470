/**
 * `pnpm demo schedules` — the learning rate over time (lectures 000 and 003):
 *
 * 1. Every schedule of `@actorgrad/optim` over 300 steps from 0.1 (000: "decreasing the learning
 *    rate", "increasing learning rate: the 1-cycle policy, SGD with warm restarts").
 * 2. 003's trade-off for a constant step h: E F(x̄ₖ) − F* ≤ R²/(2(k+1)h) + G²h/2, smallest at
 *    h* = R/(G√(k+1)) with the value RG/√(k+1); drawn for k = 10, 100, 1000.
 * 3. 003's example: SGD on F(w) = ⅓ Σ ½(yᵢ(x) − w·x)² with y₁ = x, y₂ = 0.9x, y₃ = 1.1x (one of
 *    the three drawn at random each step, x = 1): with a constant step w keeps wandering around
 *    w* = 1 (in [0.9, 1.1]); with Robbins–Monro steps αₖ = α₀/(k+1) (Σα = ∞, Σα² < ∞) it settles.
 *
 * @module
 */
import { join } from 'node:path';
import { Rng, tensor } from '@actorgrad/core';
import {
  Optimizer,
  type Schedule,
  constantSchedule,
  cosineAnnealingLR,
  cosineAnnealingWarmRestarts,
  exponentialLR,
  linearLR,
  linearWarmup,
  multiStepLR,
  oneCycleLR,
  sgd,
  stepLR,
} from '@actorgrad/optim';
import { type Live, type LiveRun, noLive } from './live.js';
import { OUT, table, writeFigure } from './plot.js';

const STEPS = 300;
export const SCHEDULES: Record<string, Schedule> = {
  constant: constantSchedule(0.1),
  'stepLR(100, 0.5)': stepLR(0.1, { stepSize: 100, gamma: 0.5 }),
  'multiStepLR([50, 150], 0.3)': multiStepLR(0.1, { milestones: [50, 150], gamma: 0.3 }),
  'exponentialLR(0.99)': exponentialLR(0.1, 0.99),
  'linearLR(1 → 0.1)': linearLR(0.1, { startFactor: 1, endFactor: 0.1, totalIters: STEPS }),
  'cosineAnnealingLR(300)': cosineAnnealingLR(0.1, { tMax: STEPS }),
  'warm restarts (t0 50, ×2)': cosineAnnealingWarmRestarts(0.1, { t0: 50, tMult: 2 }),
  'oneCycleLR(300)': oneCycleLR({ maxLr: 0.1, totalSteps: STEPS + 1 }).lr,
  'linearWarmup(cosine, 30)': linearWarmup(cosineAnnealingLR(0.1, { tMax: STEPS }), 30),
};

/** 003's bound for a constant step h after k steps, and its minimiser. */
export const bound = (R: number, G: number, k: number, h: number) => (R * R) / (2 * (k + 1) * h) + (G * G * h) / 2;
export const bestStep = (R: number, G: number, k: number) => R / (G * Math.sqrt(k + 1));

/** SGD on 003's three lines from w = 0: the path of w for a schedule of the step. */
export function sgdOnLines(lr: Schedule, steps: number, seed = 0, live?: LiveRun): number[] {
  const rng = new Rng(seed);
  const slopes = [1, 0.9, 1.1];
  const w = tensor([0], { dtype: 'float64', requiresGrad: true });
  const opt = new Optimizer([w], sgd({ lr }));
  const path = [0];
  for (let k = 0; k < steps; k++) {
    const y = slopes[rng.int(3)]!;
    opt.zeroGrad();
    const l = w.sub(y).square().mul(0.5).sum(); // ½(y·x − w·x)² at x = 1
    l.backward();
    opt.step();
    path.push(w.data[0]!);
    live?.step(k + 1, l.item(), lr(k));
  }
  live?.end();
  return path;
}

export async function runSchedules({ out = join(OUT, 'schedules'), log = console.log, steps = 2000, live = noLive as Live } = {}) {
  const curves = Object.entries(SCHEDULES).flatMap(([name, s]) => Array.from({ length: STEPS + 1 }, (_, t) => ({ step: t, lr: s(t), schedule: name })));
  const [R, G] = [1, 1];
  const ks = [10, 100, 1000];
  const trade = ks.flatMap((k) => Array.from({ length: 200 }, (_, i) => 10 ** (-3 + (3.5 * i) / 199)).map((h) => ({ h, bound: bound(R, G, k, h), k: `k = ${k}` })));
  const numericBest = ks.map((k) => trade.filter((p) => p.k === `k = ${k}`).reduce((a, b) => (b.bound < a.bound ? b : a)));
  const constant = sgdOnLines(constantSchedule(0.3), steps, 0, live.run('SGD on y = x, 0.9x, 1.1x: constant step 0.3', { optimizer: 'sgd', epochs: steps }));
  const robbinsMonro = sgdOnLines((k) => 0.9 / (k + 1), steps, 0, live.run('SGD on y = x, 0.9x, 1.1x: step 0.9/(k+1)', { optimizer: 'sgd', epochs: steps }));
  const tail = (p: number[]) => p.slice(-steps / 4);
  const spread = (p: number[]) => Math.max(...tail(p)) - Math.min(...tail(p));
  log(
    table([
      ...ks.map((k, i) => ({
        what: `003 best constant step, k = ${k} (R = G = 1)`,
        lecture: `h* = R/(G√(k+1)) = ${bestStep(R, G, k).toFixed(4)}`,
        ours: `grid minimum at h = ${numericBest[i]!.h.toFixed(4)}, bound ${numericBest[i]!.bound.toFixed(4)}`,
        note: `RG/√(k+1) = ${(1 / Math.sqrt(k + 1)).toFixed(4)}`,
      })),
      { what: '003 SGD on y = x, 0.9x, 1.1x: constant step 0.3', lecture: 'keeps oscillating', ours: `w in the last quarter spans ${spread(constant).toFixed(4)}` },
      { what: '003 … Robbins–Monro step 0.9/(k+1)', lecture: 'converges to w* = 1', ours: `w = ${robbinsMonro.at(-1)!.toFixed(4)}, last quarter spans ${spread(robbinsMonro).toExponential(2)}` },
    ]),
  );
  const paths = [...constant.map((w, k) => ({ k, w, step: 'constant 0.3' })), ...robbinsMonro.map((w, k) => ({ k, w, step: '0.9/(k+1)' }))].filter((_, i) => i % 4 === 0);
  const figures = [
    await writeFigure(out, 'schedules', {
      title: "Every schedule of @actorgrad/optim (base 0.1, 300 steps)",
      data: { values: curves },
      mark: 'line',
      width: 200,
      height: 120,
      encoding: { facet: { field: 'schedule', type: 'nominal', columns: 3, title: null }, x: { field: 'step', type: 'quantitative' }, y: { field: 'lr', type: 'quantitative' } },
    }),
    await writeFigure(out, 'tradeoff', {
      title: "Lecture 003: R²/(2(k+1)h) + G²h/2 against the step h (R = G = 1)",
      data: { values: trade },
      mark: 'line',
      width: 420,
      height: 260,
      encoding: { x: { field: 'h', type: 'quantitative', scale: { type: 'log' } }, y: { field: 'bound', type: 'quantitative', scale: { type: 'log' } }, color: { field: 'k', type: 'nominal', title: null } },
    }),
    await writeFigure(out, 'sgd-lines', {
      title: 'Lecture 003: SGD on y = x, 0.9x, 1.1x',
      data: { values: paths },
      mark: { type: 'line', strokeWidth: 1 },
      width: 420,
      height: 240,
      encoding: { x: { field: 'k', type: 'quantitative', title: 'step' }, y: { field: 'w', type: 'quantitative', scale: { domain: [0, 1.3] } }, color: { field: 'step', type: 'nominal', title: 'step size' } },
    }),
  ];
  for (const f of figures) log(`figure: ${f}`);
  return { curves, numericBest, ks, constant, robbinsMonro, spread, figures };
}
