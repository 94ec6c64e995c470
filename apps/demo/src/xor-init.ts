/**
 * `pnpm demo xor-init` — lecture 000's "Does the starting point matter?": a 2-4-1 sigmoid network
 * on XOR, BCE, SGD (α 0.1, momentum 0.99), 1000 full-batch epochs, biases 0, 20 seeds with the
 * weights drawn from U(−10, 10) and 20 from N(0, 1/√fan_in) (LeCun normal: standard deviation
 * 1/√fan_in). A run fails when it does not classify all four points at the end. The lecture counts
 * 6/20 and 0/20 failures.
 *
 * @module
 */
import { join } from 'node:path';
import { F, Rng, data, init, nn, noGrad, tensor } from '@actorgrad/core';
import { Optimizer, sgd } from '@actorgrad/optim';
import { type Live, type LiveRun, noLive } from './live.js';
import { OUT, table, writeFigure } from './plot.js';

export const INITS = {
  'U(-10, 10)': init.uniform(-10, 10),
  'N(0, 1/sqrt(fan_in))': init.lecunNormal,
} as const;
export type InitName = keyof typeof INITS;

function network(name: InitName, seed: number): nn.Sequential {
  const rng = new Rng(seed);
  const o = { rng, weightInit: INITS[name], biasInit: init.zeros };
  return new nn.Sequential(new nn.Linear(2, 4, o), nn.Sigmoid(), new nn.Linear(4, 1, o), nn.Sigmoid());
}

/** One run: the loss per epoch, the final outputs on the four points, whether it failed. */
export function trainXor(name: InitName, seed: number, epochs = 1000, live?: LiveRun) {
  const { x, y } = data.xor();
  const net = network(name, seed);
  const opt = new Optimizer(net.parameters(), sgd({ lr: 0.1, momentum: 0.99 }));
  const losses: number[] = [];
  for (let e = 0; e < epochs; e++) {
    opt.zeroGrad();
    const l = F.bce(net.forward(x), y);
    l.backward();
    opt.step();
    losses.push(l.item());
    live?.step(e + 1, losses[e]!, 0.1);
  }
  live?.end();
  const out = Array.from(noGrad(() => net.forward(x)).data);
  const failed = out.some((p, i) => (p > 0.5 ? 1 : 0) !== y.data[i]);
  return { name, seed, losses, out, failed, net };
}

/** The network's output over [−0.5, 1.5]², on a `n`×`n` grid. */
function decisionMap(net: nn.Sequential, n = 41) {
  const pts: number[][] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) pts.push([-0.5 + (2 * j) / (n - 1), -0.5 + (2 * i) / (n - 1)]);
  const p = noGrad(() => net.forward(tensor(pts)));
  return pts.map(([a, b], k) => ({ x1: a!, x2: b!, p: p.data[k]! }));
}

export async function runXorInit({ out = join(OUT, 'xor-init'), log = console.log, seeds = 20, epochs = 1000, live = noLive as Live } = {}) {
  const runs = (Object.keys(INITS) as InitName[]).flatMap((name) =>
    Array.from({ length: seeds }, (_, s) => trainXor(name, s, epochs, live.run(`xor ${name} seed ${s}`, { model: network(name, s), optimizer: 'sgd lr 0.1 momentum 0.99', epochs }))),
  );
  const failures = (name: InitName) => runs.filter((r) => r.name === name && r.failed).length;
  const lecture: Record<InitName, string> = { 'U(-10, 10)': '6/20', 'N(0, 1/sqrt(fan_in))': '0/20' };
  log(
    table(
      (Object.keys(INITS) as InitName[]).map((name) => ({
        what: `failures, init ${name}`,
        lecture: lecture[name],
        ours: `${failures(name)}/${seeds}`,
        note: `seeds 0…${seeds - 1}, ${epochs} epochs`,
      })),
    ),
  );
  const figures = await xorFigures(out, runs);
  for (const f of figures) log(`figure: ${f}`);
  return { runs, failures: { uniform: failures('U(-10, 10)'), lecun: failures('N(0, 1/sqrt(fan_in))') }, figures };
}

async function xorFigures(out: string, runs: ReturnType<typeof trainXor>[]): Promise<string[]> {
  const curves = runs.flatMap((r) =>
    r.losses.filter((_, e) => e % 10 === 0).map((loss, i) => ({ epoch: i * 10, loss, run: `${r.name} #${r.seed}`, init: r.name, outcome: r.failed ? 'failed' : 'solved' })),
  );
  const uniform = runs.filter((r) => r.name === 'U(-10, 10)');
  const bad = uniform.find((r) => r.failed) ?? [...uniform].sort((a, b) => b.losses.at(-1)! - a.losses.at(-1)!)[0]!;
  const good = uniform.find((r) => !r.failed) ?? runs.find((r) => !r.failed)!;
  const points = data.xor();
  const xorPoints = Array.from({ length: 4 }, (_, i) => ({ x1: points.x.data[2 * i]!, x2: points.x.data[2 * i + 1]!, label: `y = ${points.y.data[i]}` }));
  const map = (r: ReturnType<typeof trainXor>, what: string, file: string) =>
    writeFigure(out, file, {
      title: `${what}: ${r.name}, seed ${r.seed}`,
      width: 260,
      height: 260,
      layer: [
        { data: { values: decisionMap(r.net) }, mark: { type: 'square', size: 48 }, encoding: { x: { field: 'x1', type: 'quantitative' }, y: { field: 'x2', type: 'quantitative' }, color: { field: 'p', type: 'quantitative', scale: { domain: [0, 1], scheme: 'blueorange' }, title: 'output' } } },
        { data: { values: xorPoints }, mark: { type: 'point', filled: true, size: 120, stroke: 'black' }, encoding: { x: { field: 'x1', type: 'quantitative' }, y: { field: 'x2', type: 'quantitative' }, shape: { field: 'label', type: 'nominal', title: null } } },
      ],
    } as never);
  return [
    await writeFigure(out, 'losses', {
      title: 'Lecture 000: XOR, BCE per epoch, 20 seeds per initialisation',
      data: { values: curves },
      mark: { type: 'line', strokeWidth: 1, opacity: 0.7 },
      width: 300,
      height: 220,
      encoding: {
        x: { field: 'epoch', type: 'quantitative' },
        y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'BCE' },
        detail: { field: 'run' },
        color: { field: 'outcome', type: 'nominal', scale: { domain: ['solved', 'failed'], range: ['#4c78a8', '#e45756'] } },
        column: { field: 'init', type: 'nominal', title: null },
      },
    } as never),
    await map(bad, bad.failed ? 'A failed run' : 'The worst run', 'decision-map-failed'),
    await map(good, 'A solved run', 'decision-map-solved'),
  ];
}
