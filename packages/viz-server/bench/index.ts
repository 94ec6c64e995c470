/**
 * viz-server benchmarks (issue 15, acceptance 3). Run from packages/viz-server with `pnpm bench`
 * (= `tsx --conditions=@actorgrad/source bench/index.ts`).
 *
 * 1. Throughput with 0 vs 20 SSE clients: a 784-256-128-10 ReLU MLP, Adam lr 1e-3, batch 128, random
 *    MNIST-sized rows, dataParallel(2 replicas, 2 threads), `viz.callback()` attached; alternating
 *    rounds (0 clients, 20 reading clients), median samples/s of each. Target: within 5 %.
 * 2. A client that never reads: a 2-8-2 MLP on inline() trains `--steps` steps (100 000) with
 *    `viz.callback()` attached while one client is connected and paused; RSS and heapUsed every
 *    10 000 steps. Target: bounded memory.
 *
 * Flags: `--rounds N` (4), `--rows N` (2 560), `--epochs N` (2), `--clients N` (20), `--steps N`
 * (100 000), `--only throughput|memory`. Results are recorded in bench/RESULTS.md.
 */
import { request } from 'node:http';
import { cpus } from 'node:os';
import { Rng, nn, randn, tensor } from '@actorgrad/core';
import { type Callback, Trainer, dataParallel, inline, lambdaCallback } from '@actorgrad/runtime';
import { Bench } from 'tinybench';
import { type Viz, serveViz } from '../src/index.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`--${name} must be a positive integer, got '${process.argv[i + 1]}'`);
  return v;
}
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const ROUNDS = flag('rounds', 4);
const ROWS = flag('rows', 2560);
const EPOCHS = flag('epochs', 2);
const CLIENTS = flag('clients', 20);
const STEPS = flag('steps', 100_000);
const BATCH = 128;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

/** A reading SSE client: `fetch` the run's event stream and consume the body until aborted. */
interface Reader {
  bytes: number;
  done: Promise<void>;
  abort(): void;
}
async function reader(viz: Viz, runId: string): Promise<Reader> {
  const ac = new AbortController();
  const res = await fetch(`http://127.0.0.1:${viz.port}/api/runs/${encodeURIComponent(runId)}/events`, {
    headers: { Accept: 'text/event-stream' },
    signal: ac.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`bench: events stream answered ${res.status}`);
  const body = res.body.getReader();
  const r: Reader = { bytes: 0, done: Promise.resolve(), abort: () => ac.abort() };
  r.done = (async () => {
    try {
      for (;;) {
        const { done, value } = await body.read();
        if (done) return;
        r.bytes += value.byteLength;
      }
    } catch {
      // aborted
    }
  })();
  return r;
}

/** Connects `n` reading clients to the run the viz callback just created (in onTrainBegin, after it). */
function clientsCallback(viz: Viz, n: number, readers: Reader[]): Callback {
  return lambdaCallback('bench-clients', {
    async onTrainBegin() {
      if (n === 0) return;
      const runs = viz.store.list();
      const run = runs[runs.length - 1]!;
      readers.push(...(await Promise.all(Array.from({ length: n }, () => reader(viz, run.id)))));
    },
  });
}

/** Times the fit from the end of every onTrainBegin to onTrainEnd (connecting clients is not counted). */
function timer(): { cb: Callback; ms: () => number } {
  let t0 = 0;
  let t1 = 0;
  return {
    cb: lambdaCallback('bench-timer', {
      onTrainBegin: () => {
        t0 = performance.now();
      },
      onTrainEnd: () => {
        t1 = performance.now();
      },
    }),
    ms: () => t1 - t0,
  };
}

async function throughput(viz: Viz): Promise<void> {
  const rng = new Rng(1);
  const x = randn([ROWS, 784], { rng });
  const y = tensor(Array.from({ length: ROWS }, () => rng.int(10)));
  let fitNo = 0;
  /** One fit of EPOCHS epochs over ROWS rows with `n` clients connected; samples/s and bytes read. */
  const fit = async (n: number, epochs = EPOCHS): Promise<{ sps: number; bytes: number; connected: number }> => {
    const r = new Rng(7);
    const model = new nn.Sequential(new nn.Linear(784, 256, { rng: r }), nn.ReLU(), new nn.Linear(256, 128, { rng: r }), nn.ReLU(), new nn.Linear(128, 10, { rng: r }));
    const readers: Reader[] = [];
    const t = timer();
    let connected = 0;
    const count = lambdaCallback('bench-count', {
      onTrainEnd: () => {
        connected = viz.clients().length;
      },
    });
    await new Trainer().fit(
      model,
      { x, y },
      {
        loss: 'crossEntropy',
        optimizer: { name: 'adam', options: { lr: 1e-3 } },
        epochs,
        batchSize: BATCH,
        placement: dataParallel({ replicas: 2, threads: 2 }),
        seed: 1,
        verbose: 0,
        callbacks: [viz.callback({ name: `mnist-${fitNo++}-${n}clients` }), clientsCallback(viz, n, readers), t.cb, count],
      },
    );
    // Let the ticker flush the run's last events before the clients go.
    if (n > 0) await new Promise((res) => setTimeout(res, 150));
    for (const c of readers) c.abort();
    await Promise.all(readers.map((c) => c.done));
    return { sps: (epochs * ROWS) / (t.ms() / 1000), bytes: readers.reduce((s, c) => s + c.bytes, 0), connected };
  };

  console.log(`\n## 1. Throughput, 0 vs ${CLIENTS} SSE clients`);
  console.log(`784-256-128-10 ReLU MLP, Adam lr 1e-3, batch ${BATCH}, ${EPOCHS} epochs × ${ROWS} rows a fit, dataParallel(2 replicas, 2 threads), viz.callback() attached; ${ROUNDS} alternating rounds after a warm-up fit of each\n`);
  await fit(0, 1);
  await fit(CLIENTS, 1);
  const with0: number[] = [];
  const withN: number[] = [];
  const rows: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate which goes first, so a drift of the host does not favour one side.
    const order = round % 2 ? [0, CLIENTS] : [CLIENTS, 0];
    const got: Record<number, { sps: number; bytes: number; connected: number }> = {};
    for (const n of order) got[n] = await fit(n);
    with0.push(got[0]!.sps);
    withN.push(got[CLIENTS]!.sps);
    rows.push(
      `| ${round} | ${got[0]!.sps.toFixed(0)} | ${got[CLIENTS]!.sps.toFixed(0)} (${got[CLIENTS]!.connected} connected, ${(got[CLIENTS]!.bytes / 1024).toFixed(0)} KiB read) | ${(got[CLIENTS]!.sps / got[0]!.sps).toFixed(3)} |`,
    );
  }
  console.log(`| round | 0 clients (samples/s) | ${CLIENTS} clients (samples/s) | ratio |`);
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(r);
  const m0 = median(with0);
  const mN = median(withN);
  const ratio = mN / m0;
  console.log(`| **median** | **${m0.toFixed(0)}** | **${mN.toFixed(0)}** | **${ratio.toFixed(3)}** |`);
  console.log(`\nverdict: ${CLIENTS} clients / 0 clients = ${ratio.toFixed(3)} (${((ratio - 1) * 100).toFixed(1)} %): ${Math.abs(1 - ratio) <= 0.05 ? 'within' : 'NOT within'} the 5 % target`);

  // The per-event cost the clients add, in isolation: one tick's worth of serialisation (tinybench).
  const run = viz.store.list().at(-1)!;
  const b = new Bench({ time: 500, warmupTime: 100 });
  const r = viz.store.get(run.id)!;
  b.add(`since(0) of a finished ${EPOCHS}-epoch run, JSON-serialised`, () => JSON.stringify(r.since(0)));
  await b.run();
  const task = b.tasks[0]!;
  const mean = task.result?.latency?.mean ?? Number.NaN;
  console.log(`tinybench: ${task.name}: ${mean.toFixed(3)} ms mean (${task.result?.latency?.samples?.length ?? 0} samples)`);
}

async function memory(viz: Viz): Promise<void> {
  const rng = new Rng(3);
  const rows = 400;
  const batch = 4;
  const stepsPerEpoch = rows / batch;
  const epochs = Math.ceil(STEPS / stepsPerEpoch);
  const x = randn([rows, 2], { rng });
  const y = tensor(Array.from({ length: rows }, () => rng.int(2)));
  const model = new nn.Sequential(new nn.Linear(2, 8, { rng }), nn.ReLU(), new nn.Linear(8, 2, { rng }));
  const every = Math.min(10_000, STEPS);

  let stalled: ReturnType<typeof request> | null = null;
  const samples: string[] = [];
  const rss: number[] = [];
  const heap: number[] = [];
  let steps = 0;
  let t0 = 0;
  const connect = lambdaCallback('bench-stalled-client', {
    async onTrainBegin() {
      const runs = viz.store.list();
      const run = runs[runs.length - 1]!;
      await new Promise<void>((resolve, reject) => {
        stalled = request({ host: '127.0.0.1', port: viz.port, path: `/api/runs/${encodeURIComponent(run.id)}/events`, headers: { Accept: 'text/event-stream' } }, (res) => {
          res.pause(); // never resumed: the socket's receive buffer fills and the server sees write() return false
          resolve();
        });
        stalled.on('error', (e) => (steps >= epochs * stepsPerEpoch ? undefined : reject(e)));
        stalled.end();
      });
      t0 = performance.now();
    },
    onBatchEnd() {
      steps++;
      if (steps % every !== 0) return;
      const m = process.memoryUsage();
      rss.push(m.rss);
      heap.push(m.heapUsed);
      const c = viz.clients()[0];
      const client = c ? `${c.blocked ? 'blocked' : 'writing'}, sent up to event ${c.sent}, ${(c.buffered / 1024).toFixed(0)} KiB buffered` : 'dropped (stalled past stallMs)';
      samples.push(`| ${steps} | ${mb(m.rss)} | ${mb(m.heapUsed)} | ${client} | ${((performance.now() - t0) / 1000).toFixed(1)} |`);
    },
  });

  console.log(`\n## 2. A client that never reads, ${STEPS} steps`);
  console.log(`2-8-2 ReLU MLP, SGD, batch ${batch}, ${rows} rows, inline(), viz.callback() attached, one client connected and paused\n`);
  await new Trainer().fit(
    model,
    { x, y },
    {
      loss: 'crossEntropy',
      optimizer: { name: 'sgd', options: { lr: 0.01 } },
      epochs,
      batchSize: batch,
      placement: inline(),
      seed: 1,
      verbose: 0,
      callbacks: [viz.callback({ name: 'stalled-client' }), connect],
    },
  );
  (stalled as ReturnType<typeof request> | null)?.destroy();
  console.log('| step | RSS (MB) | heapUsed (MB) | the paused client | elapsed (s) |');
  console.log('|---|---|---|---|---|');
  for (const s of samples) console.log(s);
  const growth = (xs: number[]): number => Math.max(...xs) - xs[0]!;
  if (rss.length > 0) {
    console.log(`\nmax − value at step ${every}: RSS +${mb(growth(rss))} MB, heapUsed +${mb(growth(heap))} MB`);
    const run = viz.store.list().at(-1)!;
    console.log(`run '${run.id}': ${run.lastId} events recorded, ${viz.store.get(run.id)!.since(0).length} kept`);
  }
}

const viz = await serveViz({ log: null });
console.log(`# viz-server bench — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? 'unknown'}`);
try {
  if (only !== 'memory') await throughput(viz);
  if (only !== 'throughput') await memory(viz);
} finally {
  await viz.close();
}
