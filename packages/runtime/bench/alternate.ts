/**
 * inline against dataParallel(2) step by step: the benchmark MLP (784-256-128-10, Adam, batch 128)
 * on two engines in one process, stepped alternately (inline, dataParallel, dataParallel, inline, …),
 * so that both see the host as it is within ≈ 50 ms of each other. Prints each engine's step
 * quartiles, the ratio of the medians and the median of the ratios of neighbouring pairs.
 *
 * A diagnostic next to `pnpm bench` (which measures each placement in tinybench rounds of 0.6 s):
 * on this shared VM the host's speed drifts within seconds, and a neighbour that takes part of one
 * vCPU slows a dataParallel step (it waits for its slower replica) but not an inline one. Pairs of
 * neighbouring steps see the same drift; nothing makes them immune to the neighbour.
 * Run: `pnpm bench:alternate` in packages/runtime; `--steps N` per engine (default 400).
 */
import { Rng, nn, randn, tensor } from '@actorgrad/core';
import { describeProbe, probeHost } from './host-probe.js';
import { type Engine, createEngine, dataParallel, inline } from '../src/index.js';

const i = process.argv.indexOf('--steps');
const STEPS = i > 0 ? Number(process.argv[i + 1]) : 400;
if (!Number.isInteger(STEPS) || STEPS < 1) throw new RangeError(`bench:alternate: --steps must be a positive integer, got ${process.argv[i + 1]}`);
const BATCH = 128;

const rng = new Rng(2);
const batches = Array.from({ length: 4 }, () => ({ x: randn([BATCH, 784], { rng }), y: tensor(Array.from({ length: BATCH }, () => rng.int(10))) }));
const model = () => {
  const r = new Rng(1);
  return new nn.Sequential(new nn.Linear(784, 256, { rng: r }), nn.ReLU(), new nn.Linear(256, 128, { rng: r }), nn.ReLU(), new nn.Linear(128, 10, { rng: r }));
};

const before = await probeHost();
const make = async (placement: Parameters<typeof createEngine>[0]['placement']): Promise<Engine> => {
  const e = await createEngine({ model: model(), loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 1e-3 } }, placement });
  for (let s = 0; s < 30; s++) await e.step(batches[s % 4]!); // warm-up: threads, JIT, step program
  return e;
};
const engines = { inline: await make(inline()), dataParallel: await make(dataParallel({ replicas: 2, threads: 2 })) };
const ms = { inline: [] as number[], dataParallel: [] as number[] };
const time = async (name: keyof typeof engines, s: number) => {
  const t0 = performance.now();
  await engines[name].step(batches[s % 4]!);
  ms[name].push(performance.now() - t0);
};
for (let s = 0; s < STEPS; s++) {
  // Which goes first alternates, so neither always follows the other.
  const order: (keyof typeof engines)[] = s % 2 === 0 ? ['inline', 'dataParallel'] : ['dataParallel', 'inline'];
  for (const name of order) await time(name, s);
  if ((s + 1) % 100 === 0) process.stderr.write(`  ${s + 1} of ${STEPS} pairs\n`);
}
const after = await probeHost();

const q = (xs: number[], f: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * f))]!;
console.table(
  (Object.keys(ms) as (keyof typeof ms)[]).map((name) => ({
    engine: name,
    'p25 (ms)': q(ms[name], 0.25).toFixed(2),
    'p50 (ms)': q(ms[name], 0.5).toFixed(2),
    'p75 (ms)': q(ms[name], 0.75).toFixed(2),
    'samples/s (p50)': Math.round((BATCH / q(ms[name], 0.5)) * 1000),
  })),
);
const pairs = ms.inline.map((t, s) => t / ms.dataParallel[s]!);
console.log(
  `dataParallel(2) / inline: ${(q(ms.inline, 0.5) / q(ms.dataParallel, 0.5)).toFixed(2)}× (medians); per pair of neighbouring steps: median ${q(pairs, 0.5).toFixed(2)}×, quartiles ${q(pairs, 0.25).toFixed(2)}..${q(pairs, 0.75).toFixed(2)} (${STEPS} pairs)`,
);
console.log(`host probe before: ${describeProbe(before)}`);
console.log(`host probe after: ${describeProbe(after)}`);
for (const e of Object.values(engines)) await e.close();
