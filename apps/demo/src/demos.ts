/**
 * The demos `pnpm demo` runs, its command line (parsed by Node's `util.parseArgs`: strict, so an
 * unknown flag is an error naming it) and how `--viz` and `--full` reach each demo.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import type { Callback } from '@actorgrad/runtime';
import type { RunSink } from '@actorgrad/viz-server';
import { type Live, liveSink, noLive } from './live.js';

/** What a demo gets: the live view's callbacks (Trainer demos) or its `Live` (lecture demos), and `--full`. */
export interface DemoContext {
  callbacks: Callback[];
  live: Live;
  full: boolean;
  /** Where its figures go (default `out/<name>/`). */
  out?: string;
}

export interface Demo {
  /** Where it comes from, as `pnpm demo` lists it. */
  about: string;
  /** How `--viz` streams it: through the Trainer's callback, through `Live`, or not at all (no training loop). */
  viz: 'trainer' | 'live' | null;
  /** What `--full` changes (the lecture's size), where the default is smaller. */
  full?: string;
  run: (ctx: DemoContext) => unknown;
}

/** Each demo's module is loaded when it runs (not its neighbours' plotting, data and models): `pnpm demo mnist` starts sooner. */
export const DEMOS: Record<string, Demo> = {
  backprop: { about: 'lectures 000, 002, 004: the computational graphs and the hand-made network, forward and backward', viz: null, run: async ({ out }) => (await import('./backprop.js')).runBackprop({ out }) },
  gabor: { about: "lecture 004: the Gabor model's loss surface; GD ends in the global minimum, a local minimum or near a saddle; SGD escapes", viz: 'live', run: async ({ live, out }) => (await import('./gabor.js')).runGabor({ live, out }) },
  mnist: { about: 'a 784-256-128-10 ReLU MLP on 8 000 MNIST digits, Adam, data-parallel (not from the lectures)', viz: 'trainer', run: async ({ callbacks }) => (await import('./mnist.js')).runMnist({ callbacks }) },
  mnist1d: {
    about: 'lecture 004 (Fig. 20.2): MLPs of 1-4 hidden layers, ~15k parameters each, memorising random labels of MNIST-1D; deeper takes fewer epochs',
    viz: 'live',
    full: "the lecture's 4000 examples (default 400) and lr 0.0025 (default 0.1), up to 20,000 epochs (about 3 hours)",
    run: async ({ live, full, out }) => (await import('./mnist1d.js')).runMnist1d({ live, full, out }),
  },
  polynomial: { about: "lecture 002: a cubic fitted by GD from the lecture's four initialisations and two learning rates", viz: 'live', run: async ({ live, out }) => (await import('./polynomial.js')).runPolynomial({ live, out }) },
  qlearning: { about: 'lecture 004: Q-learning with a neural Q(x, u) and the TD loss on a 5x5 grid world; learning curves and the greedy policy', viz: 'live', run: async ({ live, out }) => (await import('./qlearning.js')).runQLearning({ live, out }) },
  regions: { about: 'lecture 004: the SVD of a linear model; the most linear regions of deep ReLU nets (161,051 vs the printed 161,501); regions of random nets', viz: null, run: async ({ out }) => (await import('./regions.js')).runRegions({ out }) },
  regression: { about: 'lecture 000: y = 3x + 2 + U(-0.1, 0.1) by GD, momentum, Nesterov, AdaGrad, RMSProp, Adam; paths, loss, raw vs z-scored', viz: 'live', run: async ({ live, out }) => (await import('./regression.js')).runRegression({ live, out }) },
  universal: { about: 'lectures 000, 004: a 1-3-1 ReLU net, its joints and pieces; error vs hidden units; RBF 2-step vs 3-step learning', viz: 'live', run: async ({ live, out }) => (await import('./universal.js')).runUniversal({ live, out }) },
  'xor-init': { about: 'lecture 000: XOR 2-4-1 sigmoid from 20 seeds of U(-10, 10) vs N(0, 1/sqrt(fan_in)) initial weights: failures, loss curves, decision maps', viz: 'live', run: async ({ live, out }) => (await import('./xor-init.js')).runXorInit({ live, out }) },
  regularisation: { about: 'lecture 003: weight decay on y = 0.05 + sum 0.01 x_i + noise (d = 200, 20 samples): train and test loss against lambda; dropout on vs off', viz: 'live', run: async ({ live, out }) => (await import('./regularisation.js')).runRegularisation({ live, out }) },
  schedules: { about: "lectures 000, 003: every learning-rate schedule; 003's step-size bound; SGD on y = x, 0.9x, 1.1x with a constant vs a decreasing step", viz: 'live', run: async ({ live, out }) => (await import('./schedules.js')).runSchedules({ live, out }) },
  xor: { about: 'a 2-4-1 sigmoid network on XOR with SGD and momentum', viz: 'live', run: async ({ live }) => (await import('./xor.js')).runXor({ live }) },
};

export interface Cli {
  /** The demo's name; undefined: list them. */
  name?: string;
  viz: boolean;
  full: boolean;
}

/** `pnpm demo [name] [--viz] [--full]`; throws on an unknown flag, a second name or an unknown demo. */
export function parseCli(argv: string[]): Cli {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { viz: { type: 'boolean', default: false }, full: { type: 'boolean', default: false } } });
  if (positionals.length > 1) throw new TypeError(`demo: expected one demo name, got ${positionals.length}: ${positionals.join(' ')}`);
  const name = positionals[0];
  if (name !== undefined && !(name in DEMOS)) throw new TypeError(`demo: unknown demo '${name}'; available: ${Object.keys(DEMOS).join(', ')}`);
  return { name, viz: values.viz === true, full: values.full === true };
}

/** The listing `pnpm demo` prints. */
export function listing(): string {
  const lines = Object.entries(DEMOS).map(([n, d]) => `  ${n.padEnd(14)} ${d.about}${d.full ? ` [--full: ${d.full}]` : ''}`);
  return ['pnpm demo <name> [--viz] [--full]:', ...lines].join('\n');
}

/**
 * Runs demo `name`: with `sink` (the live view's store) its runs are streamed there, through `Live`
 * for the lecture demos and through `callbacks` for the Trainer's; `--full` where a demo has it.
 */
export async function runDemo(name: string, o: { full?: boolean; sink?: RunSink | null; callbacks?: Callback[]; out?: string; warn?: (line: string) => void } = {}): Promise<unknown> {
  const demo = DEMOS[name];
  if (!demo) throw new TypeError(`demo: unknown demo '${name}'; available: ${Object.keys(DEMOS).join(', ')}`);
  const warn = o.warn ?? console.error;
  if (o.full && !demo.full) warn(`demo ${name}: already runs at the lecture's size; --full changes nothing`);
  const live = o.sink && demo.viz === 'live' ? liveSink(o.sink) : noLive;
  return demo.run({ callbacks: demo.viz === 'trainer' ? (o.callbacks ?? []) : [], live, full: o.full === true, out: o.out });
}
