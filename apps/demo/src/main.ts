import type { Callback } from '@actorgrad/runtime';
import { serveViz } from '@actorgrad/viz-server';
import { runBackprop } from './backprop.js';
import { runGabor } from './gabor.js';
import { runMnist } from './mnist.js';
import { runPolynomial } from './polynomial.js';
import { runQLearning } from './qlearning.js';
import { runRegions } from './regions.js';
import { runRegression } from './regression.js';
import { runRegularisation } from './regularisation.js';
import { runSchedules } from './schedules.js';
import { runUniversal } from './universal.js';
import { runXorInit } from './xor-init.js';
import { runXor } from './xor.js';

interface Demo {
  /** Where it comes from, as `pnpm demo` lists it. */
  about: string;
  /** Whether `--viz` streams it (it trains through the Trainer). */
  viz: boolean;
  run: (callbacks: Callback[]) => unknown;
}

const demos: Record<string, Demo> = {
  backprop: { about: 'lectures 000, 002, 004: the computational graphs and the hand-made network, forward and backward', viz: false, run: () => runBackprop() },
  gabor: { about: "lecture 004: the Gabor model's loss surface; GD ends in the global minimum, a local minimum or near a saddle; SGD escapes", viz: false, run: () => runGabor() },
  mnist: { about: 'a 784-256-128-10 ReLU MLP on 8 000 MNIST digits, Adam, data-parallel (not from the lectures)', viz: true, run: (callbacks) => runMnist({ callbacks }) },
  polynomial: { about: "lecture 002: a cubic fitted by GD from the lecture's four initialisations and two learning rates", viz: false, run: () => runPolynomial() },
  qlearning: { about: 'lecture 004: Q-learning with a neural Q(x, u) and the TD loss on a 5x5 grid world; learning curves and the greedy policy', viz: false, run: () => runQLearning() },
  regions: { about: 'lecture 004: the SVD of a linear model; the most linear regions of deep ReLU nets (161,051 vs the printed 161,501); regions of random nets', viz: false, run: () => runRegions() },
  regression: { about: 'lecture 000: y = 3x + 2 + U(-0.1, 0.1) by GD, momentum, Nesterov, AdaGrad, RMSProp, Adam; paths, loss, raw vs z-scored', viz: false, run: () => runRegression() },
  universal: { about: 'lectures 000, 004: a 1-3-1 ReLU net, its joints and pieces; error vs hidden units; RBF 2-step vs 3-step learning', viz: false, run: () => runUniversal() },
  'xor-init': { about: 'lecture 000: XOR 2-4-1 sigmoid from 20 seeds of U(-10, 10) vs N(0, 1/sqrt(fan_in)) initial weights: failures, loss curves, decision maps', viz: false, run: () => runXorInit() },
  regularisation: { about: 'lecture 003: weight decay on y = 0.05 + sum 0.01 x_i + noise (d = 200, 20 samples): train and test loss against lambda; dropout on vs off', viz: false, run: () => runRegularisation() },
  schedules: { about: "lectures 000, 003: every learning-rate schedule; 003's step-size bound; SGD on y = x, 0.9x, 1.1x with a constant vs a decreasing step", viz: false, run: () => runSchedules() },
  xor: { about: 'a 2-4-1 sigmoid network on XOR with SGD and momentum', viz: false, run: () => runXor() },
};

const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith('--'));
if (name === undefined) {
  console.log('pnpm demo <name> [--viz]:');
  for (const [n, d] of Object.entries(demos)) console.log(`  ${n.padEnd(10)} ${d.about}`);
  process.exit(0);
}
const demo = demos[name];
if (!demo) {
  console.error(`demo: unknown demo '${name}'; available: ${Object.keys(demos).join(', ')}`);
  process.exit(2);
}
if (args.includes('--viz') && !demo.viz) console.error(`demo ${name}: --viz is not supported (it does not train through the Trainer); running without it`);
// `--viz`: the live view (its URL is the first line printed), closed when training ends.
const viz = args.includes('--viz') && demo.viz ? await serveViz() : null;
try {
  await demo.run(viz ? [viz.callback({ name: name === 'mnist' ? 'mnist-adam' : name })] : []);
} finally {
  await viz?.close();
}
