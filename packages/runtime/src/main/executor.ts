import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { Piscina } from 'piscina';
import { kernels } from '@actorgrad/core';
import { nodeEndpoint } from '../comlink-endpoint.js';
import { type Observable, defer, from, of } from 'rxjs';
import { handleMessage } from '../actors/handle.js';
import type { ActorMsg, ActorReply, ControlApi, WorkerInfo } from '../protocol.js';
import { bundledWorkerEntry } from './worker-bundle.js';

/**
 * Runs actor messages. A rejected run means infrastructure trouble (a thread died) and may be
 * retried; a layer's own error comes back as `{ok: false}`.
 */
export interface Executor {
  readonly kind: 'inline' | 'pool';
  readonly threads: number;
  /** The GEMM kernel the executor's threads compute with, fixed for its life; absent: the calling thread's choice at the time. */
  readonly gemmKernel?: kernels.GemmKernel;
  run(msg: ActorMsg): Observable<ActorReply>;
  /** Each worker thread's report, through its comlink control API (empty inline). */
  workerInfo(): Promise<WorkerInfo[]>;
  close(): Promise<void>;
}

/** Everything on the calling thread, synchronously (the same code the workers run). */
export function inlineExecutor(): Executor {
  return {
    kind: 'inline',
    threads: 1,
    run: (msg) => defer(() => of(handleMessage(msg))),
    workerInfo: async () => [],
    close: async () => {},
  };
}

export interface PoolOptions {
  threads?: number;
  /** Lets `crash` messages end a worker thread (for fault-injection tests). */
  allowCrash?: boolean;
  /** The engine's heap: every worker adopts its memory (the kernels then work in place on it). */
  heap?: kernels.WasmHeap | null;
}

/**
 * The worker file next to this module. From TypeScript sources, the worker entry bundled by esbuild
 * (`bundledWorkerEntry`), or the sources loaded through tsx without esbuild or with
 * `ACTORGRAD_WORKER_TSX=1`.
 */
function workerEntry(): { filename: string; execArgv: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL('../worker/entry.ts', here);
    const bundle = process.env.ACTORGRAD_WORKER_TSX === '1' ? null : bundledWorkerEntry(entry);
    if (bundle) return { filename: bundle, execArgv: [] };
    return { filename: entry.href, execArgv: ['--conditions=@actorgrad/source', '--import', 'tsx'] };
  }
  return { filename: new URL('../worker/entry.js', here).href, execArgv: [] };
}

export function defaultThreads(): number {
  return availableParallelism();
}

/** A piscina pool: any thread can run any actor's message, since all state is in shared memory. */
export function poolExecutor({ threads = defaultThreads(), allowCrash = false, heap = null }: PoolOptions = {}): Executor & { pool: Piscina } {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`pool: threads must be a positive integer, got ${threads}`);
  const { filename, execArgv } = workerEntry();
  const choice = kernels.kernelChoice();
  const pool = new Piscina({
    filename,
    execArgv,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    concurrentTasksPerWorker: 1,
    // Idle workers wait in Atomics.wait: the fastest hand-off of the next message (it roughly halves
    // the dispatch latency). Their control ports are served by `pump` tasks while a call is open.
    useAtomics: true,
    recordTiming: false,
    // Every thread computes with the main thread's GEMM kernel as it is now (`fast` differs from
    // `wasm` in the last bits): the choice is fixed for the pool's life.
    workerData: { allowCrash, kernels: choice, heap: heap?.memory },
  });
  let controls: { threads: unknown[]; remotes: Comlink.Remote<ControlApi>[]; ports: { close(): void }[] } | null = null;
  /** One control port per live thread; rebuilt when the pool replaced a thread. */
  async function connect(): Promise<Comlink.Remote<ControlApi>[]> {
    const live = [...pool.threads];
    if (controls && controls.threads.length === live.length && controls.threads.every((t, i) => t === live[i])) return controls.remotes;
    for (const p of controls?.ports ?? []) p.close();
    const barrier = new Int32Array(new SharedArrayBuffer(4));
    const channels = live.map(() => new MessageChannel());
    await Promise.all(channels.map((c) => pool.run({ op: 'control', port: c.port2, barrier, parties: live.length }, { transferList: [c.port2] })));
    const remotes = channels.map((c) => Comlink.wrap<ControlApi>(nodeEndpoint(c.port1)));
    for (const c of channels) c.port1.unref();
    controls = { threads: live, remotes, ports: channels.map((c) => c.port1) };
    return remotes;
  }
  return {
    kind: 'pool',
    threads,
    gemmKernel: choice.kernel,
    pool,
    run: (msg) => defer(() => from(pool.run(msg) as Promise<ActorReply>)),
    workerInfo: async () => {
      const remotes = await connect();
      const calls = Promise.all(remotes.map((r) => r.info()));
      const barrier = new Int32Array(new SharedArrayBuffer(4));
      const done = new Int32Array(new SharedArrayBuffer(4));
      const pumps = remotes.map(() => pool.run({ op: 'pump', barrier, parties: remotes.length, done }));
      try {
        return await calls;
      } finally {
        Atomics.store(done, 0, 1);
        await Promise.all(pumps);
      }
    },
    close: async () => {
      for (const p of controls?.ports ?? []) p.close();
      await pool.destroy();
    },
  };
}
