/**
 * Memory over a long run: `Trainer.fit` of a 21 780-parameter MLP (20-128-128-20, ReLU,
 * cross-entropy, Adam) on 3 000 synthetic rows, batch 64 (46 full batches and one of 56 per
 * epoch), `dataParallel({replicas: 2, threads: 2})`, 1 000 epochs; `process.memoryUsage()` is
 * sampled every `--every` epochs and printed as a table with the maxima and final values.
 *
 * Run: `pnpm bench:memory` in packages/runtime. Flags: `--epochs N` (1000), `--every N` (50),
 * `--rows N` (3000), `--placement inline|dataParallel`, `--gc` (force a full GC before each
 * sample, to tell garbage from memory held: needs `node --expose-gc`, e.g.
 * `NODE_OPTIONS=--expose-gc pnpm bench:memory --gc`), `--workers` (also each worker's heap, asked
 * over the control API; that ends the resident loops once per sample).
 */
import { Rng, nn, randn, tensor } from '@actorgrad/core';
import { type Callback, type Placement, Trainer, dataParallel, inline } from '../src/index.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EPOCHS = arg('epochs', 1000);
const EVERY = arg('every', 50);
const ROWS = arg('rows', 3000);
const BATCH = 64;
const placementName = process.argv.includes('--placement') ? process.argv[process.argv.indexOf('--placement') + 1]! : 'dataParallel';
const placement: Placement = placementName === 'inline' ? inline() : dataParallel({ replicas: 2, threads: 2 });
const forceGc = process.argv.includes('--gc');
const askWorkers = process.argv.includes('--workers');
const gc = (globalThis as { gc?: () => void }).gc;
if (forceGc && !gc) throw new Error('--gc needs node --expose-gc (NODE_OPTIONS=--expose-gc)');

const IN = 20;
const CLASSES = 20;
const rng = new Rng(7);
const model = new nn.Sequential(new nn.Linear(IN, 128, { rng }), nn.ReLU(), new nn.Linear(128, 128, { rng }), nn.ReLU(), new nn.Linear(128, CLASSES, { rng }));
const params = model.namedParameters().reduce((a, [, p]) => a + p.size, 0);

// Labels: the arg-max of a fixed random linear map of the inputs (learnable, not trivial).
const x = randn([ROWS, IN], { rng });
const w = randn([IN, CLASSES], { rng });
const labels = Array.from({ length: ROWS }, (_, i) => {
  let best = 0;
  let bestV = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < CLASSES; c++) {
    let v = 0;
    for (let k = 0; k < IN; k++) v += x.data[i * IN + k]! * w.data[k * CLASSES + c]!;
    if (v > bestV) {
      bestV = v;
      best = c;
    }
  }
  return best;
});
const y = tensor(labels);

const MB = 1024 * 1024;
interface Sample {
  epoch: number;
  rss: number;
  heap: number;
  external: number;
  arrayBuffers: number;
  workerHeap: number | null;
  loss: number;
  ms: number;
}
const samples: Sample[] = [];
const t0 = performance.now();
const sample = async (epoch: number, loss: number, engine: { workerInfo(): Promise<{ heapUsedBytes: number }[]> } | null) => {
  if (forceGc) gc!();
  const m = process.memoryUsage();
  const workerHeap = askWorkers && engine ? (await engine.workerInfo()).reduce((a, i) => a + i.heapUsedBytes, 0) / MB : null;
  samples.push({ epoch, rss: m.rss / MB, heap: m.heapUsed / MB, external: m.external / MB, arrayBuffers: m.arrayBuffers / MB, workerHeap, loss, ms: performance.now() - t0 });
};
await sample(0, Number.NaN, null);

const probe: Callback = {
  name: 'memory',
  async onEpochEnd(epoch, logs, ctx) {
    if ((epoch + 1) % EVERY === 0 || epoch + 1 === EPOCHS) await sample(epoch + 1, logs.loss!, askWorkers ? ctx.engine : null);
  },
};

console.log(`memory bench: ${params} parameters (20-128-128-20), ${ROWS} rows, batch ${BATCH}, ${placementName}, ${EPOCHS} epochs${forceGc ? ', GC forced before each sample' : ''}; node ${process.version}`);
const trainer = new Trainer();
let placementChosen = '';
const sub = trainer.events$.subscribe((e) => {
  if (e.type === 'placement') placementChosen = `${e.placement} (${e.replicas} replicas, ${e.threads} threads)`;
});
const history = await trainer.fit(model, { x, y }, { loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 1e-3 } }, epochs: EPOCHS, batchSize: BATCH, placement, seed: 1, callbacks: [probe] });
sub.unsubscribe();

const f = (v: number) => v.toFixed(1).padStart(8);
console.log(`placement: ${placementChosen}; steps: ${history.steps}; final loss ${history.metrics.loss!.at(-1)!.toFixed(4)}`);
console.log(`| epoch | rss MB | heap MB | external MB | arrayBuffers MB |${askWorkers ? ' workers heap MB |' : ''} s |`);
console.log(`|---:|---:|---:|---:|---:|${askWorkers ? '---:|' : ''}---:|`);
for (const s of samples) {
  console.log(`| ${String(s.epoch).padStart(5)} |${f(s.rss)} |${f(s.heap)} |${f(s.external)} |${f(s.arrayBuffers)} |${askWorkers ? `${f(s.workerHeap ?? Number.NaN)} |` : ''}${f(s.ms / 1000)} |`);
}
const max = (k: 'rss' | 'heap' | 'external' | 'arrayBuffers') => Math.max(...samples.map((s) => s[k]));
const last = samples.at(-1)!;
console.log(`max:   rss ${max('rss').toFixed(1)} MB, heap ${max('heap').toFixed(1)} MB, external ${max('external').toFixed(1)} MB, arrayBuffers ${max('arrayBuffers').toFixed(1)} MB`);
console.log(`final: rss ${last.rss.toFixed(1)} MB, heap ${last.heap.toFixed(1)} MB, external ${last.external.toFixed(1)} MB, arrayBuffers ${last.arrayBuffers.toFixed(1)} MB`);
console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s, ${((performance.now() - t0) / history.steps).toFixed(3)} ms per step`);
