/**
 * `pnpm demo qlearning` — lecture 004's "represent and learn V(x), Q(x, u) with neural networks":
 * Q-learning with a neural Q(x, u; θ) on a 5×5 grid world written here. The agent starts at (0, 0);
 * the goal (4, 4) pays +1 and ends the episode, two pits (1, 3) and (3, 1) pay −1 and end it, every
 * other step costs 0.01; at most 40 steps an episode. Q is a 25-64-4 ReLU network on the one-hot
 * cell, trained by Adam on the TD loss ½·δ², δ = r + γ·max_u' Q(x', u') − Q(x, u) with the target
 * detached (`F.tdError`), from a replay buffer, with ε-greedy exploration (ε 1 → 0.05). The shortest
 * path takes 8 steps; a seed "solves" the task when its greedy policy walks it.
 *
 * @module
 */
import { join } from 'node:path';
import { F, Rng, type Tensor, nn, noGrad, tensor } from '@actorgrad/core';
import { Optimizer, adam } from '@actorgrad/optim';
import { type Live, type LiveRun, noLive } from './live.js';
import { OUT, table, writeFigure } from './plot.js';

const N = 5;
const GOAL = 24;
const PITS = new Set([1 * N + 3, 3 * N + 1]);
const MOVES: [number, number][] = [
  [-1, 0],
  [1, 0],
  [0, -1],
  [0, 1],
]; // up, down, left, right (row, column)
export const ARROWS = ['↑', '↓', '←', '→'];

/** One step of the grid world: next cell, reward, whether the episode ends. */
export function step(cell: number, action: number): { next: number; reward: number; done: boolean } {
  const [dr, dc] = MOVES[action]!;
  const r = Math.min(N - 1, Math.max(0, Math.floor(cell / N) + dr));
  const c = Math.min(N - 1, Math.max(0, (cell % N) + dc));
  const next = r * N + c;
  if (next === GOAL) return { next, reward: 1, done: true };
  if (PITS.has(next)) return { next, reward: -1, done: true };
  return { next, reward: -0.01, done: false };
}

const oneHot = (cells: number[]) => tensor(cells.map((c) => Array.from({ length: N * N }, (_, i) => Number(i === c))));

interface Transition {
  s: number;
  a: number;
  r: number;
  s2: number;
  done: boolean;
}

/** Trains a Q-network from `seed`; returns the episode returns and the learned network. */
export function trainQ(seed: number, episodes = 300, gamma = 0.95, live?: LiveRun) {
  const rng = new Rng(seed);
  const q = new nn.Sequential(new nn.Linear(N * N, 64, { rng }), nn.ReLU(), new nn.Linear(64, 4, { rng }));
  const opt = new Optimizer(q.parameters(), adam({ lr: 1e-3 }));
  const buffer: Transition[] = [];
  const returns: number[] = [];
  let steps = 0;
  for (let ep = 0; ep < episodes; ep++) {
    const eps = Math.max(0.05, 1 - ep / (0.6 * episodes));
    let s = 0;
    let total = 0;
    for (let t = 0; t < 40; t++) {
      const a = rng.next() < eps ? rng.int(4) : greedy(q, s);
      const { next, reward, done } = step(s, a);
      buffer.push({ s, a, r: reward, s2: next, done });
      if (buffer.length > 5000) buffer.shift();
      total += reward;
      s = next;
      if (buffer.length >= 64) {
        const loss = learn(q, opt, buffer, rng, gamma);
        steps++;
        live?.step(steps, loss, 1e-3);
      }
      if (done) break;
    }
    returns.push(total);
    live?.epoch(ep, steps, { return: total, epsilon: eps });
  }
  live?.end();
  return { q, returns };
}

/** One Adam step on the TD loss of a minibatch from the replay buffer; returns the loss. */
function learn(q: nn.Module, opt: Optimizer, buffer: Transition[], rng: Rng, gamma: number): number {
  const batch = Array.from({ length: 32 }, () => buffer[rng.int(buffer.length)]!);
  opt.zeroGrad();
  const qNow = q.forward(oneHot(batch.map((b) => b.s)));
  const qNext = noGrad(() => q.forward(oneHot(batch.map((b) => b.s2))));
  const delta = F.tdError(qNow, batch.map((b) => b.a), tensor(batch.map((b) => b.r)), qNext, gamma, tensor(batch.map((b) => Number(b.done))));
  const loss = delta.square().mean().mul(0.5);
  loss.backward();
  opt.step();
  return loss.item();
}

function qValues(q: nn.Module, cells: number[]): Tensor {
  return noGrad(() => q.forward(oneHot(cells)));
}

export function greedy(q: nn.Module, cell: number): number {
  const v = qValues(q, [cell]).data;
  let best = 0;
  for (let a = 1; a < 4; a++) if (v[a]! > v[best]!) best = a;
  return best;
}

/** The greedy policy's walk from (0, 0): the cells visited and whether it reached the goal. */
export function walk(q: nn.Module): { cells: number[]; reached: boolean } {
  const cells = [0];
  let s = 0;
  for (let t = 0; t < 20; t++) {
    const { next, done } = step(s, greedy(q, s));
    cells.push(next);
    s = next;
    if (done) return { cells, reached: next === GOAL };
  }
  return { cells, reached: false };
}

export async function runQLearning({ out = join(OUT, 'qlearning'), log = console.log, seeds = 5, episodes = 300, live = noLive as Live } = {}) {
  const runs = Array.from({ length: seeds }, (_, seed) => ({ seed, ...trainQ(seed, episodes, 0.95, live.run(`Q-learning seed ${seed}`, { optimizer: 'adam lr 1e-3, TD loss', epochs: episodes })) }));
  const walks = runs.map((r) => walk(r.q));
  const solved = walks.filter((w) => w.reached && w.cells.length - 1 === 8).length;
  log(
    table([
      { what: 'greedy policy walks the 8-step shortest path', lecture: 'Q-learning learns the task', ours: `${solved}/${seeds} seeds` },
      ...runs.map((r, i) => ({ what: `seed ${r.seed}: return of the last 20 episodes (mean)`, lecture: '', ours: (r.returns.slice(-20).reduce((a, b) => a + b, 0) / 20).toFixed(3), note: `greedy walk: ${walks[i]!.cells.length - 1} steps, ${walks[i]!.reached ? 'goal' : 'no goal'}` })),
    ]),
  );
  const curves = runs.flatMap((r) => r.returns.map((ret, ep) => ({ ep, ret, seed: `seed ${r.seed}` })));
  const best = runs[walks.findIndex((w) => w.reached)] ?? runs[0]!;
  const cells = Array.from({ length: N * N }, (_, c) => ({
    row: Math.floor(c / N),
    col: c % N,
    v: Math.max(...qValues(best.q, [c]).data),
    label: c === GOAL ? 'goal' : PITS.has(c) ? 'pit' : ARROWS[greedy(best.q, c)]!,
  }));
  const figures = [
    await writeFigure(out, 'learning-curve', {
      title: 'Q-learning on the grid world: return per episode',
      data: { values: curves },
      mark: { type: 'line', strokeWidth: 1 },
      width: 420,
      height: 240,
      transform: [{ window: [{ op: 'mean', field: 'ret', as: 'avg' }], frame: [-9, 0], groupby: ['seed'] }],
      encoding: { x: { field: 'ep', type: 'quantitative', title: 'episode' }, y: { field: 'avg', type: 'quantitative', title: 'return (mean of 10)' }, color: { field: 'seed', type: 'nominal', title: null } },
    } as never),
    await writeFigure(out, 'policy', {
      title: `Greedy policy and max_u Q(x, u), seed ${best.seed}`,
      data: { values: cells },
      width: 250,
      height: 250,
      encoding: { x: { field: 'col', type: 'ordinal', title: null }, y: { field: 'row', type: 'ordinal', title: null } },
      layer: [
        { mark: 'rect', encoding: { color: { field: 'v', type: 'quantitative', title: 'max Q', scale: { scheme: 'greens' } } } },
        { mark: { type: 'text', fontSize: 18 }, encoding: { text: { field: 'label' } } },
      ],
    } as never),
  ];
  for (const f of figures) log(`figure: ${f}`);
  return { runs, walks, solved, figures };
}
