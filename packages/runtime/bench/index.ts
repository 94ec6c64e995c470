/**
 * Runtime benchmarks (tinybench): training throughput of a 784-256-128-10 ReLU MLP with Adam,
 * batch 128, under each placement, and the cost of one actor message round trip.
 * Run: `pnpm bench` in packages/runtime (= tsx --conditions=source bench/index.ts).
 */
import { availableParallelism, cpus } from 'node:os';
import { Rng, nn, randn, tensor } from '@actorgrad/core';
import { firstValueFrom } from 'rxjs';
import { Bench } from 'tinybench';
import { Actor, type Engine, type Placement, createEngine, dataParallel, hybrid, inline, inlineExecutor, pipeline, poolExecutor } from '../src/index.js';

const BATCH = 128;
const quick = process.argv.includes('--quick');

function model(): nn.Sequential {
  const rng = new Rng(1);
  return new nn.Sequential(new nn.Linear(784, 256, { rng }), nn.ReLU(), new nn.Linear(256, 128, { rng }), nn.ReLU(), new nn.Linear(128, 10, { rng }));
}

const rng = new Rng(2);
const batches = Array.from({ length: 4 }, () => ({ x: randn([BATCH, 784], { rng }), y: tensor(Array.from({ length: BATCH }, () => rng.int(10))) }));

const placements: [string, Placement][] = [
  ['inline', inline()],
  ['dataParallel(2 replicas, 2 threads)', dataParallel({ replicas: 2, threads: 2 })],
  ['pipeline(4 micro-batches, 2 threads)', pipeline({ microBatches: 4, threads: 2 })],
  ['hybrid(2 replicas × 2 micro-batches)', hybrid({ replicas: 2, microBatches: 2, threads: 2 })],
];

const engines = new Map<string, Engine>();
for (const [name, p] of placements) {
  const e = await createEngine({ model: model(), loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 1e-3 } }, placement: p });
  for (let i = 0; i < 3; i++) await e.step(batches[i % 4]!); // warm-up: worker start, JIT
  engines.set(name, e);
}

// Interleave the placements (one task each, round after round), so that load from other jobs on
// this shared machine hits all of them alike; the ratio is what we report.
const bench = new Bench({ time: quick ? 1000 : 4000, warmupTime: 500, iterations: 10 });
let k = 0;
for (const [name] of placements) {
  const e = engines.get(name)!;
  bench.add(`step: ${name}`, async () => {
    await e.step(batches[k++ % 4]!);
  });
}

// Message round trip: a no-op actor message (a reduce over zero tensors), sent and awaited.
const pool = poolExecutor({ threads: 1 });
const poolActor = new Actor('bench#pool', pool);
const inlineActor = new Actor('bench#inline', inlineExecutor());
const noop = { op: 'reduce' as const, actor: 'bench', shardGrads: [], grads: [] };
await firstValueFrom(poolActor.send(noop));
bench.add('message round trip: pool (piscina)', async () => {
  await firstValueFrom(poolActor.send(noop));
});
bench.add('message round trip: inline', async () => {
  await firstValueFrom(inlineActor.send(noop));
});

await bench.run();

const rows = bench.tasks.map((t) => {
  const mean = t.result!.latency.mean; // ms
  const isStep = t.name.startsWith('step');
  return {
    task: t.name,
    'mean (ms)': Number(mean.toFixed(isStep ? 2 : 4)),
    'p50 (ms)': Number(t.result!.latency.p50!.toFixed(isStep ? 2 : 4)),
    'rme (%)': Number(t.result!.latency.rme.toFixed(1)),
    samples: t.result!.latency.samples.length,
    'samples/s': isStep ? Math.round((BATCH / mean) * 1000) : '',
    'µs/message': isStep ? '' : Number((mean * 1000).toFixed(1)),
  };
});
console.table(rows);
const sps = (name: string) => BATCH / bench.tasks.find((t) => t.name === `step: ${name}`)!.result!.latency.mean;
console.log(`dataParallel(2) / inline = ${(sps('dataParallel(2 replicas, 2 threads)') / sps('inline')).toFixed(2)}×`);
console.log(`pipeline(4) / inline = ${(sps('pipeline(4 micro-batches, 2 threads)') / sps('inline')).toFixed(2)}×`);
console.log(`machine: ${availableParallelism()} cores, ${cpus()[0]?.model ?? '?'}, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);

for (const e of engines.values()) await e.close();
await pool.close();
