/**
 * `actorgrad daemon`: takes the data directory, opens the store, resumes what was running, serves
 * the live view and the API, and on SIGTERM / SIGINT lets every running job checkpoint at its next
 * step boundary before it exits.
 *
 * @module
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { RunStore, needsToken, serveViz } from '@actorgrad/viz-server';
import { jobRoutes } from './api.js';
import { ensureHome, lock, paths, token, writeInfo } from './home.js';
import { Store } from './store.js';
import { Supervisor } from './supervisor.js';

export interface DaemonOptions {
  home: string;
  host: string;
  port: number;
  concurrency: number;
  /** More directories job specs may read data files from (the data directory always). */
  allow: string[];
  log: (line: string) => void;
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
    const supervisor = new Supervisor(store, runs, o.home, o.concurrency);
    await supervisor.recover();
    const allowedDirs = [o.home, ...o.allow.map((d) => resolve(d))];
    const s = store;
    const viz = await serveViz({
      host: o.host,
      port: o.port,
      store: runs,
      ...(needsToken(o.host) ? { token: tok } : {}),
      log: null,
      routes: (app) => jobRoutes(app, { store: s, supervisor, token: tok, home: o.home, allowedDirs }),
    });
    writeInfo(o.home, { pid: process.pid, url: viz.url, port: viz.port, host: o.host, home: o.home });
    o.log(`actorgrad daemon at ${viz.url}  (data ${o.home}, pid ${process.pid}, ${o.concurrency} job(s) at a time)`);
    supervisor.schedule();
    let closing: Promise<void> | null = null;
    return {
      url: viz.url,
      port: viz.port,
      shutdown: () => {
        closing ??= (async () => {
          await supervisor.shutdown();
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
