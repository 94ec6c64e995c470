/**
 * `pnpm demo mnist1d` — lecture 004's Fig. 20.2 ("shallow vs. deep networks"): four fully connected
 * ReLU networks of about 15 000 parameters — 1, 2, 3 and 4 hidden layers of 298, 100, 75 and 63
 * units — fitted to MNIST-1D examples (core's `data.mnist1d`, 40 inputs, 10 outputs) whose labels
 * were replaced by random ones, by full-batch gradient descent on the mean cross-entropy, He
 * initialisation (uniform, variance 2/fan_in; biases 0), no momentum or regularisation. Training
 * accuracy per epoch for each depth: all of them memorise the labels, the deeper ones in fewer
 * epochs.
 *
 * The lecture's size (`--full`): 4000 examples and lr 0.0025, up to 20,000 epochs — about three
 * hours on 2 cores (≈ 0.5 s an epoch for the four networks), not run to the end here, and the
 * lecture does not say how many epochs it took. By default the demo fits SIZES.default instead
 * (400 examples, lr 0.1, about 30 s): the same networks, fewer examples and a larger step.
 *
 * @module
 */
import { join } from 'node:path';
import { F, Rng, type Tensor, compile, data, init, nn, tensor } from '@actorgrad/core';
import { Optimizer, sgd } from '@actorgrad/optim';
import { type Live, type LiveRun, noLive } from './live.js';
import { OUT, table, writeFigure } from './plot.js';

/** The lecture's four networks and the parameter counts it prints. */
export const DEPTHS = [
  { layers: 1, units: 298, lecture: 15_208 },
  { layers: 2, units: 100, lecture: 15_210 },
  { layers: 3, units: 75, lecture: 15_235 },
  { layers: 4, units: 63, lecture: 15_139 },
] as const;

export interface Mnist1dSize {
  examples: number;
  lr: number;
  /** The most epochs a network trains; it stops once it classifies every example right. */
  epochs: number;
}

export const SIZES: { default: Mnist1dSize; full: Mnist1dSize } = {
  default: { examples: 400, lr: 0.1, epochs: 1500 },
  full: { examples: 4000, lr: 0.0025, epochs: 20_000 },
};

/** The parameters of a 40-(units × layers)-10 network: (40 + 1)·u + (layers − 1)·(u + 1)·u + (u + 1)·10. */
export function parameterCount(layers: number, units: number, inputs = 40, outputs = 10): number {
  return (inputs + 1) * units + (layers - 1) * (units + 1) * units + (units + 1) * outputs;
}

/** A 40-(units × layers)-10 ReLU network, He-uniform weights and zero biases. */
export function mlp(layers: number, units: number, rng: Rng): nn.Sequential {
  const o = { rng, weightInit: init.heUniform, biasInit: init.zeros };
  const mods: nn.Module[] = [];
  for (let l = 0; l < layers; l++) mods.push(new nn.Linear(l === 0 ? 40 : units, units, o), nn.ReLU());
  return new nn.Sequential(...mods, new nn.Linear(units, 10, o));
}

/** The first `examples` MNIST-1D training examples (default arguments) with labels drawn uniformly from 0 … 9. */
export function randomLabels(examples: number, seed = 0): { x: Tensor; y: Tensor } {
  const d = data.mnist1d();
  if (examples > d.xTrain.shape[0]!) throw new RangeError(`mnist1d demo: at most ${d.xTrain.shape[0]} examples, got ${examples}`);
  const x = data.takeRows(d.xTrain, Int32Array.from({ length: examples }, (_, i) => i));
  const rng = new Rng(seed);
  return { x, y: tensor(Array.from({ length: examples }, () => rng.int(10))) };
}

function accuracy(logits: Tensor, y: Tensor): number {
  const n = y.shape[0]!;
  const z = logits.data;
  let right = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < 10; k++) if (z[i * 10 + k]! > z[i * 10 + best]!) best = k;
    right += Number(best === y.data[i]);
  }
  return right / n;
}

/**
 * Full-batch GD of one network: the training accuracy and loss before each step (so entry e is after
 * e epochs); stops after the first epoch at 100%. `memorised` is that epoch (null if never).
 */
export function fit(net: nn.Module, d: { x: Tensor; y: Tensor }, size: Mnist1dSize, live?: LiveRun, progress?: (epoch: number, acc: number) => void) {
  const opt = new Optimizer(net.parameters(), sgd({ lr: size.lr }));
  // One capture of forward, loss and backward, replayed every epoch (same bits as eager code).
  const epoch = compile((x: Tensor, y: Tensor) => {
    const logits = net.forward(x);
    const l = F.crossEntropy(logits, y);
    l.backward();
    return [logits, l];
  });
  const acc: number[] = [];
  const loss: number[] = [];
  for (let e = 0; e <= size.epochs; e++) {
    opt.zeroGrad();
    const [logits, l] = epoch(d.x, d.y) as [Tensor, Tensor];
    acc.push(accuracy(logits, d.y));
    loss.push(l.item());
    live?.epoch(e, e, { accuracy: acc[e]! });
    progress?.(e, acc[e]!);
    if (acc[e] === 1 || e === size.epochs) break;
    opt.step();
    live?.step(e + 1, loss[e]!, size.lr);
  }
  live?.end();
  return { acc, loss, memorised: epochsTo(acc, 1), ninety: epochsTo(acc, 0.9) };
}

/** The first epoch at which the accuracy reached `level` (null if it never did). */
export function epochsTo(acc: number[], level: number): number | null {
  const e = acc.findIndex((a) => a >= level);
  return e < 0 ? null : e;
}

export interface Mnist1dDemoOptions {
  out?: string;
  log?: (line: string) => void;
  /** The lecture's size (`--full`). */
  full?: boolean;
  /** Overrides of the size (tests). */
  size?: Partial<Mnist1dSize>;
  seed?: number;
  live?: Live;
}

export async function runMnist1d(o: Mnist1dDemoOptions = {}) {
  const log = o.log ?? console.log;
  const size = { ...(o.full ? SIZES.full : SIZES.default), ...o.size };
  const seed = o.seed ?? 0;
  const d = randomLabels(size.examples, seed);
  const live = o.live ?? noLive;
  const runs = DEPTHS.map((depth) => {
    const net = mlp(depth.layers, depth.units, new Rng(seed + depth.layers));
    const params = Object.values(net.parameters()).reduce((n, p) => n + p.size, 0);
    const run = live.run(`mnist1d ${depth.layers} × ${depth.units}`, { model: net, optimizer: `gd lr ${size.lr}`, epochs: size.epochs });
    // the lecture's size runs for hours: say where it is every 500 epochs
    const progress = o.full ? (e: number, a: number) => e % 500 === 0 && log(`${depth.layers} × ${depth.units}: epoch ${e}, training accuracy ${(100 * a).toFixed(1)}%`) : undefined;
    return { ...depth, params, ...fit(net, d, size, run, progress) };
  });
  log(`MNIST-1D, ${size.examples} examples with random labels, full-batch GD lr ${size.lr}, up to ${size.epochs} epochs${o.full ? " (the lecture's size)" : " (the lecture: 4000 examples, lr 0.0025; --full)"}`);
  const en = (n: number) => n.toLocaleString('en-US');
  const epochs = (n: number | null) => (n === null ? `more than ${en(size.epochs)}` : en(n));
  log(
    table([
      ...runs.map((r) => ({
        what: `${r.layers} hidden layer${r.layers > 1 ? 's' : ''} of ${r.units}: parameters`,
        lecture: en(r.lecture),
        ours: en(r.params),
        note: `epochs to 90% / 100% training accuracy: ${epochs(r.ninety)} / ${epochs(r.memorised)}`,
      })),
      { what: 'epochs to memorise, 1 → 4 hidden layers', lecture: 'deeper: fewer', ours: runs.map((r) => epochs(r.memorised)).join(', ') },
    ]),
  );
  log(`the 4-layer count: 41·63 + 3·64·63 + 64·10 = ${en(parameterCount(4, 63))}; the lecture's 15,139 has the 3 and the 1 swapped (no 40-w-w-w-w-10 network has 15,139 parameters)`);
  log('at the default size, seeds 0-4: to 90%, 1 hidden layer takes the most epochs, 2 the next, 3 and 4 the fewest (within noise of each other); to 100%, 1 > 2 > 3 too, while 4 is erratic on its last few examples (seed 3: 302, more than 2 layers)');
  const figures = [await mnist1dFigure(o.out ?? join(OUT, 'mnist1d'), runs, size)];
  for (const f of figures) log(`figure: ${f}`);
  return { size, runs, figures };
}

async function mnist1dFigure(out: string, runs: { layers: number; units: number; acc: number[] }[], size: Mnist1dSize) {
  const every = Math.max(1, Math.floor(Math.max(...runs.map((r) => r.acc.length)) / 400));
  const rows = runs.flatMap((r) => r.acc.flatMap((a, e) => (e % every === 0 || e === r.acc.length - 1 ? [{ epoch: e, accuracy: 100 * a, network: `${r.layers} × ${r.units}` }] : [])));
  return writeFigure(out, 'training-accuracy', {
    title: `Lecture 004, Fig. 20.2: MNIST-1D, ${size.examples} random labels, GD lr ${size.lr}`,
    data: { values: rows },
    mark: 'line',
    width: 420,
    height: 260,
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
      y: { field: 'accuracy', type: 'quantitative', title: 'training accuracy (%)', scale: { domain: [0, 100] } },
      color: { field: 'network', type: 'nominal', title: 'hidden layers × units' },
    },
  });
}
