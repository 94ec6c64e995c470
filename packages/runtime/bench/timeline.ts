/**
 * Where a dataParallel step's time goes: the benchmark MLP (784-256-128-10, Adam, batch 128) on
 * resident step loops, N steps, each cut into phases from the timestamps the engine and the threads
 * write (`Engine.stepTimes`): the main thread before the bell, the threads waking, each replica's
 * route by kind of message, the replicas' reports apart, the main thread waking after the last
 * report, and the main thread until `step()` resolves. Quartiles over the steps.
 * Run: `pnpm bench:timeline` in packages/runtime; `--steps N` (default 200), `--replicas R` (default 2), `--warmup N` (default 300).
 */
import { availableParallelism } from 'node:os';
import { Rng, randn, tensor } from '@actorgrad/core';
import { benchMlp } from './mlp.js';
import { describeProbe, probeHost } from './host-probe.js';
import { createEngine, dataParallel } from '../src/index.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const STEPS = arg('--steps', 200);
const R = arg('--replicas', 2);
const BATCH = 128;

const rng = new Rng(2);
const batches = Array.from({ length: 4 }, () => ({ x: randn([BATCH, 784], { rng }), y: tensor(Array.from({ length: BATCH }, () => rng.int(10))) }));
const model = benchMlp();

const probe = await probeHost();
const engine = await createEngine({ model, loss: 'crossEntropy', optimizer: { name: 'adam', options: { lr: 1e-3 } }, placement: dataParallel({ replicas: R, threads: R }) });
// Warm-up: threads, step program, and V8 optimising for a few hundred steps (see `WARMUP` in index.ts).
for (let i = 0; i < arg('--warmup', 300); i++) await engine.step(batches[i % 4]!);

const phases = new Map<string, number[]>();
const put = (name: string, ms: number) => {
  const xs = phases.get(name) ?? [];
  if (xs.length === 0) phases.set(name, xs);
  xs.push(ms);
};
const now = () => performance.timeOrigin + performance.now();
let onLoops = 0;
for (let i = 0; i < STEPS; i++) {
  const t0 = now();
  await engine.step(batches[i % 4]!);
  const t1 = now();
  const times = engine.stepTimes();
  if (!times) continue; // not on the loops (a thread was replaced, say): nothing to cut
  onLoops++;
  put('step', t1 - t0);
  put('main thread: step() → bell', times.bellAt - t0);
  times.replicas.forEach((rep, r) => {
    put(`replica ${r}: bell → awake`, rep.wokeAt - times.bellAt);
    put(`replica ${r}: route (awake → reported)`, rep.reportedAt - rep.wokeAt);
    const byOp = new Map<string, number>();
    let barriers = 0;
    let messages = 0;
    for (const m of rep.messages) {
      const op = m.op === 'sync' ? `barrier ${++barriers}` : m.op;
      byOp.set(op, (byOp.get(op) ?? 0) + m.micros / 1000);
      messages += m.micros / 1000;
    }
    for (const [op, ms] of byOp) put(`replica ${r}:   ${op}`, ms);
    put(`replica ${r}:   between messages`, rep.reportedAt - rep.wokeAt - messages);
  });
  const reported = times.replicas.map((rep) => rep.reportedAt);
  put('replicas: first report → last', Math.max(...reported) - Math.min(...reported));
  put('main thread: last report → seen', times.sawAt - Math.max(...reported));
  put('main thread: seen → step() resolves', t1 - times.sawAt);
}
await engine.close();

const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))]!;
console.table(
  [...phases].map(([phase, xs]) => ({ phase, 'p25 (ms)': q(xs, 0.25).toFixed(3), 'p50 (ms)': q(xs, 0.5).toFixed(3), 'p75 (ms)': q(xs, 0.75).toFixed(3) })),
);
console.log(`dataParallel(${R} replicas, ${R} threads), batch ${BATCH}: ${onLoops} of ${STEPS} steps on resident loops; ${availableParallelism()} cores`);
console.log(`host probe before: ${describeProbe(probe)}`);
