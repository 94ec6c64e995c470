/**
 * `actorgrad daemon`: takes the data directory, opens the store, resumes what was running, serves
 * the live view and the API, and on SIGTERM / SIGINT lets every running job checkpoint at its next
 * step boundary before it exits.
 *
 * @module
 */
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { RunStore, needsToken, serveViz } from '@actorgrad/viz-server';
import { jobRoutes } from './api.js';
import { DaemonError, ensureHome, lock, paths, token, writeInfo } from './home.js';
import { type JobQueue, LocalQueue } from './queue/index.js';
import { RedisQueue, redact } from './queue/redis.js';
import { Store } from './store.js';
import { Supervisor } from './supervisor.js';
import { Sweeps } from './sweep/index.js';

export interface DaemonOptions {
  home: string;
  host: string;
  port: number;
  concurrency: number;
  /** More directories job specs may read data files from (the data directory always). */
  allow: string[];
  log: (line: string) => void;
  /** A shared queue, `redis://…`: this daemon takes jobs from it beside the other daemons on it. */
  queue?: string;
  /** The directory every daemon of a shared queue keeps checkpoints in (required with `queue`). */
  checkpoints?: string;
  /** This daemon's name among those of a shared queue (default: host name and pid). */
  name?: string;
  /** With a shared queue: how long a dead daemon's job waits before another daemon takes it (ms). */
  lockMs?: number;
}

export interface RunningDaemon {
  url: string;
  port: number;
  /** Checkpoints the running jobs, closes everything, releases the data directory. */
  shutdown(): Promise<void>;
}

export async function startDaemon(o: DaemonOptions): Promise<RunningDaemon> {
  await ensureHome(o.home);
  const release = lock(o.home);
  let store: Store | null = null;
  try {
    const tok = token(o.home);
    store = new Store(paths(o.home).store);
    const runs = new RunStore();
    const { supervisor, queue, sweeps } = assemble(o, store, runs);
    await supervisor.recover(queue.kind === 'local');
    const allowedDirs = [o.home, ...o.allow.map((d) => resolve(d))];
    const s = store;
    const viz = await serveViz({
      host: o.host,
      port: o.port,
      store: runs,
      ...(needsToken(o.host) ? { token: tok } : {}),
      log: null,
      routes: (app) => jobRoutes(app, { store: s, supervisor, queue, sweeps, token: tok, home: o.home, allowedDirs }),
    });
    writeInfo(o.home, { pid: process.pid, url: viz.url, port: viz.port, host: o.host, home: o.home });
    const shared = o.queue ? `, queue ${redact(o.queue)} as '${supervisor.worker}', checkpoints ${o.checkpoints}` : '';
    await queue.start();
    o.log(`actorgrad daemon at ${viz.url}  (data ${o.home}, pid ${process.pid}, ${o.concurrency} job(s) at a time${shared})`);
    let closing: Promise<void> | null = null;
    return {
      url: viz.url,
      port: viz.port,
      shutdown: () => {
        closing ??= (async () => {
          await queue.close();
          await viz.close();
          s.close();
          rmSync(paths(o.home).info, { force: true });
          release();
        })();
        return closing;
      },
    };
  } catch (e) {
    store?.close();
    release();
    throw e;
  }
}

/** The job processes, the queue (the store's, or BullMQ's with `--queue`) and the sweeps, wired. */
function assemble(o: DaemonOptions, store: Store, runs: RunStore): { supervisor: Supervisor; queue: JobQueue; sweeps: Sweeps } {
  if (o.queue && !o.checkpoints) throw new DaemonError('actorgrad daemon: --queue needs --checkpoints <dir>, a directory every daemon of the queue can reach (a job resumes on another machine from its checkpoints there)');
  const checkpoints = o.checkpoints ? resolve(o.checkpoints) : null;
  const supervisor = new Supervisor({
    store,
    runs,
    runDir: checkpoints ? (id) => join(checkpoints, id) : paths(o.home).run,
    worker: o.name ?? `${hostname()}:${process.pid}`,
  });
  const sweeps = new Sweeps(store, supervisor);
  let queue: JobQueue;
  if (o.queue) {
    const rq = new RedisQueue({ url: o.queue, store, sup: supervisor, sweeps, concurrency: o.concurrency, lockMs: o.lockMs ?? 30_000, log: o.log });
    supervisor.record = rq.record;
    queue = rq;
  } else {
    queue = new LocalQueue(store, supervisor, sweeps, o.concurrency);
  }
  sweeps.queue = queue;
  return { supervisor, queue, sweeps };
}
