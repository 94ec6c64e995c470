import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { type Observable, defer, from, of } from 'rxjs';
import { handleMessage } from '../actors/handle.js';
import type { ActorMsg, ActorReply } from '../protocol.js';

/**
 * Runs actor messages. A rejected run means infrastructure trouble (a thread died) and may be
 * retried; a layer's own error comes back as `{ok: false}`.
 */
export interface Executor {
  readonly kind: 'inline' | 'pool';
  readonly threads: number;
  run(msg: ActorMsg): Observable<ActorReply>;
  close(): Promise<void>;
}

/** Everything on the calling thread, synchronously (the same code the workers run). */
export function inlineExecutor(): Executor {
  return {
    kind: 'inline',
    threads: 1,
    run: (msg) => defer(() => of(handleMessage(msg))),
    close: async () => {},
  };
}

export interface PoolOptions {
  threads?: number;
  /** Lets `crash` messages end a worker thread (for fault-injection tests). */
  allowCrash?: boolean;
}

/** The worker file next to this module; from TypeScript sources the workers load it through tsx. */
function workerEntry(): { filename: string; execArgv: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    return { filename: new URL('../worker/entry.ts', here).href, execArgv: ['--conditions=source', '--import', 'tsx'] };
  }
  return { filename: new URL('../worker/entry.js', here).href, execArgv: [] };
}

export function defaultThreads(): number {
  return availableParallelism();
}

/** A piscina pool: any thread can run any actor's message, since all state is in shared memory. */
export function poolExecutor({ threads = defaultThreads(), allowCrash = false }: PoolOptions = {}): Executor & { pool: Piscina } {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`pool: threads must be a positive integer, got ${threads}`);
  const { filename, execArgv } = workerEntry();
  const pool = new Piscina({
    filename,
    execArgv,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    concurrentTasksPerWorker: 1,
    workerData: { allowCrash },
  });
  return {
    kind: 'pool',
    threads,
    pool,
    run: (msg) => defer(() => from(pool.run(msg) as Promise<ActorReply>)),
    close: () => pool.destroy(),
  };
}
