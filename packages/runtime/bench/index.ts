/**
 * Runtime benchmarks (tinybench): training throughput of a 784-256-128-10 ReLU MLP with Adam,
 * batch 128, under each placement, and the cost of one actor message round trip.
 * Run: `pnpm bench` in packages/runtime (= tsx --conditions=@actorgrad/source bench/index.ts); `--quick` for a short
 * run, `--rounds N` for more rounds, `--ratio` for inline and dataParallel(2) only, `--warmup N` for
 * the warm-up steps of each engine (default 300).
 *
 * The machine is shared and noisy, so the placements are measured in interleaved rounds (one short
 * tinybench per round with every placement in it) and each is reported by its median over rounds;
 * ratios are taken within the same run.
 */
import { availableParallelism, cpus } from 'node:os';
import { Rng, randn, tensor } from '@actorgrad/core';
import { benchMlp } from './mlp.js';
import { firstValueFrom } from 'rxjs';
import { Bench } from 'tinybench';
import { busyReason, describeProbe, probeHost } from './host-probe.js';
import { type Engine, type Placement, createEngine, dataParallel, hybrid, inline, pipeline } from '../src/index.js';
import { Actor } from '../src/main/actor.js';
import { inlineExecutor, poolExecutor } from '../src/main/executor.js';

const BATCH = 128;
const quick = process.argv.includes('--quick');
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : quick ? 3 : 8;
const only = process.argv.includes('--ratio'); // just inline and dataParallel(2): the ratio the issue asks about
const warmupArg = process.argv.indexOf('--warmup');
/**
 * Steps each engine takes before it is measured. V8 goes on optimising the runtime's functions for
 * a few hundred steps (those called once a step get hot slowly), on background threads: measured
 * on this machine, 2.4 ms of those threads' CPU per dataParallel(2) step in the first 200 steps,
 * 0.3–0.9 ms after 300 (inline: 2.2 ms in its first 60 steps, 0–1.5 ms later). Inline does not
 * mind (its second core is idle); a dataParallel step has both cores busy and gives that time up:
 * 17.6–18.1 ms p50 in the first 200 steps, 16.5–17.1 ms from then on. A training run is thousands
 * of steps; this measures them, not the start.
 */
const WARMUP = warmupArg > 0 ? Number(process.argv[warmupArg + 1]) : quick ? 5 : 300;

const rng = new Rng(2);
const batches = Array.from({ length: 4 }, () => ({ x: randn([BATCH, 784], { rng }), y: tensor(Array.from({ length: BATCH }, () => rng.int(10))) }));

const allPlacements: [string, Placement][] = [
  ['inline', inline()],
  ['inline(2 shards)', inline({ shards: 2 })],
  ['dataParallel(2 replicas, 2 threads)', dataParallel({ replicas: 2, threads: 2 })],
  ['pipeline(4 micro-batches, 2 threads)', pipeline({ microBatches: 4, threads: 2 })],
  ['hybrid(2 replicas × 2 micro-batches)', hybrid({ replicas: 2, microBatches: 2, threads: 2 })],
];
const placements = allPlacements.filter(([name]) => !only || name === 'inline' || name.startsWith('dataParallel'));

const before = await probeHost();
const engines = new Map<string, Engine>();
for (const [name, p] of placements) {
  const e = await createEngine({ model: benchMlp(), loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 1e-3 } }, placement: p });
  for (let i = 0; i < WARMUP; i++) await e.step(batches[i % 4]!); // warm-up: worker start, JIT (see WARMUP)
  engines.set(name, e);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const stepMs = new Map<string, number[]>(placements.map(([n]) => [n, []]));
const rme = new Map<string, number[]>(placements.map(([n]) => [n, []]));
let k = 0;
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: quick ? 300 : 600, warmupTime: 100, iterations: 5 });
  for (const [name] of placements) {
    const e = engines.get(name)!;
    bench.add(name, async () => {
      await e.step(batches[k++ % 4]!);
    });
  }
  await bench.run();
  for (const t of bench.tasks) {
    stepMs.get(t.name)!.push(t.result!.latency.p50!);
    rme.get(t.name)!.push(t.result!.latency.rme);
  }
}

// Message round trip: a no-op actor message (a reduce over zero tensors), sent and awaited.
const pool = poolExecutor({ threads: 1 });
const poolActor = new Actor('bench#pool', pool);
const inlineActor = new Actor('bench#inline', inlineExecutor());
const noop = { op: 'reduce' as const, actor: 'bench', shardGrads: [], grads: [] };
await firstValueFrom(poolActor.send(noop));
const rt = new Bench({ time: quick ? 500 : 2000, warmupTime: 200 });
rt.add('message round trip: pool (piscina)', async () => {
  await firstValueFrom(poolActor.send(noop));
});
rt.add('message round trip: inline', async () => {
  await firstValueFrom(inlineActor.send(noop));
});
await rt.run();

const rows = [
  ...placements.map(([name]) => {
    const ms = median(stepMs.get(name)!);
    return {
      task: `step: ${name}`,
      'median step (ms)': Number(ms.toFixed(2)),
      'min..max over rounds (ms)': `${Math.min(...stepMs.get(name)!).toFixed(1)}..${Math.max(...stepMs.get(name)!).toFixed(1)}`,
      'samples/s': Math.round((BATCH / ms) * 1000),
      'µs/message': '',
    };
  }),
  ...rt.tasks.map((t) => ({
    task: t.name,
    'median step (ms)': '',
    'min..max over rounds (ms)': '',
    'samples/s': '',
    'µs/message': `${(t.result!.latency.p50! * 1000).toFixed(1)} (p50), ${(t.result!.latency.mean * 1000).toFixed(1)} (mean)`,
  })),
];
console.table(rows);
const has = (name: string) => stepMs.has(name);
const sps = (name: string) => BATCH / median(stepMs.get(name)!);
const ratio = (a: string, b: string) => (sps(a) / sps(b)).toFixed(2);
/** The ratio within each round (both measured minutes apart at most), then its median and range. */
const paired = (a: string, b: string) => {
  const r = stepMs.get(b)!.map((ms, i) => ms / stepMs.get(a)![i]!);
  return `${median(r).toFixed(2)}× (rounds: ${Math.min(...r).toFixed(2)}..${Math.max(...r).toFixed(2)})`;
};
const DP = 'dataParallel(2 replicas, 2 threads)';
console.log(`dataParallel(2) / inline = ${ratio(DP, 'inline')}× (medians); per round: ${paired(DP, 'inline')}`);
if (has('inline(2 shards)')) console.log(`dataParallel(2) / inline(2 shards) — the same computation, bit for bit = ${ratio(DP, 'inline(2 shards)')}×`);
if (has('pipeline(4 micro-batches, 2 threads)')) {
  console.log(`pipeline(4) / inline = ${ratio('pipeline(4 micro-batches, 2 threads)', 'inline')}×;  hybrid / inline = ${ratio('hybrid(2 replicas × 2 micro-batches)', 'inline')}×`);
}
const after = await probeHost();
console.log(`host probe (two threads timing a fixed loop), before: ${describeProbe(before)}`);
console.log(`host probe, after: ${describeProbe(after)}`);
const busy = [['before', busyReason(before)], ['after', busyReason(after)]].filter(([, why]) => why !== null);
console.log(
  busy.length === 0
    ? 'host: quiet before and after the run'
    : `host: busy ${busy.map(([when, why]) => `${when} (${why})`).join(', ')} — a neighbour on either vCPU slows a dataParallel step, not inline: this run's ratio measures the host as much as the engine`,
);
console.log(`machine: ${availableParallelism()} cores, ${cpus()[0]?.model ?? '?'}, node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${ROUNDS} rounds`);

for (const e of engines.values()) await e.close();
await pool.close();
