/**
 * The shared queue: BullMQ on Redis. Every daemon started with the same `--queue redis://…` takes
 * jobs from one BullMQ queue (`concurrency` at a time each) and runs each whole, in a process of its
 * own, with its checkpoints in the shared checkpoint directory. BullMQ keeps a lock on every active
 * job that its daemon renews; when a daemon dies its locks lapse, BullMQ's stalled-job check puts
 * the job back in the queue, and the daemon that takes it resumes it from its last checkpoint.
 *
 * What is recorded of a job (queued, launched, its process's events and checkpoints, its end, a
 * user's control) goes to one Redis stream, the log, in order; every daemon — the one that wrote it
 * too — applies the log to its own store, so each shows every job of the queue, live, and the
 * daemon that takes a job over first reads the log to its end: it then knows every checkpoint the
 * dead one indexed, each after the metrics up to its step (the job process sends them first).
 *
 * Controls for a job running on another daemon go over a pub/sub channel to whichever runs it.
 * Redis may go away: every command waits for it (ioredis's offline queue), the daemon says so once
 * and again when it is back.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { act, isDone } from '../controls.js';
import { DaemonError } from '../home.js';
import type { JobRow, NewJob, Store } from '../store.js';
import type { Sweeps } from '../sweep/index.js';
import type { JobEntry, Supervisor } from '../supervisor.js';
import type { Action, JobQueue } from './index.js';

const PREFIX = 'actorgrad';
const QUEUE = 'jobs';
const LOG = `${PREFIX}:log`;
const CONTROL = `${PREFIX}:control`;
const SWEEP_IDS = `${PREFIX}:sweep-id`;
/** The counter that numbers the queue's jobs. */
const JOB_NUMBERS = `${PREFIX}:job-id`;
/** A random id of the log, made by the first daemon: a store's place in the log is kept under it. */
const LOG_ID = `${PREFIX}:log-id`;
/** The log is capped near this many records (a record is one batch of a job's events, ~200 ms of it). */
const LOG_MAX = 1_000_000;

export interface RedisQueueOptions {
  /** `redis://[user:password@]host:port[/db]`, `rediss://…` for TLS. */
  url: string;
  store: Store;
  sup: Supervisor;
  sweeps: Sweeps;
  concurrency: number;
  /** How long a job's lock lasts without renewal: a dead daemon's job waits this long before another takes it. */
  lockMs: number;
  log: (line: string) => void;
}

/**
 * A Redis connection. `patient` (a daemon): commands wait while Redis is away (they queue and are
 * sent when it is back), as BullMQ needs. Otherwise (the CLI) a command fails after a few tries.
 */
export function connect(url: string, patient = true): Redis {
  const r = patient
    ? new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(100 * n, 2000) })
    : new Redis(url, { maxRetriesPerRequest: 2, retryStrategy: (n) => (n > 5 ? null : 200 * n) });
  r.on('error', () => {}); // Reported by the daemon (see `watch`), retried by ioredis.
  return r;
}

/** The URL without its password, to print. */
export const redact = (url: string) => url.replace(/\/\/[^@/]*@/, '//');

/** Connects once (a few tries) and pings: null when Redis answers, else why not (the connection's own error). */
export async function probe(url: string): Promise<string | null> {
  const r = connect(url, false);
  let last: string | null = null;
  r.on('error', (e: Error) => {
    last = e.message;
  });
  try {
    await r.ping();
    return null;
  } catch (e) {
    return last ?? (e as Error).message;
  } finally {
    r.disconnect();
  }
}

/** Whether a connection error is one waiting does not mend (a wrong password, a certificate refused). */
export const isConfigError = (m: string) => /WRONGPASS|NOAUTH|NOPERM|invalid password|certificate|self[- ]signed|SSL|TLS|EPROTO/i.test(m);

/** The sweep id Redis hands out next (`s1`, `s2`, …). */
export async function nextSweepId(r: Redis): Promise<string> {
  return `s${await r.incr(SWEEP_IDS)}`;
}

/** Compares two stream ids (`ms-seq`). */
function after(a: string, b: string): boolean {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am > bm || (am === bm && as > bs);
}

/** Queues a job on BullMQ and records it in the log (the daemon's `submit`, and `actorgrad submit --queue` without a daemon). */
export async function addJob(queue: Queue, r: Redis, j: NewJob, origin: string): Promise<string> {
  const createdAt = j.createdAt ?? Date.now();
  // Jobs are numbered by a counter of the queue; a sweep's trial has a fixed id, so queuing it twice is a no-op.
  const id = j.id ?? String(await r.incr(JOB_NUMBERS));
  await queue.add(j.name, { ...j, createdAt }, { jobId: bullId(id), removeOnComplete: true, removeOnFail: true, attempts: 1 });
  await appendLog(r, origin, id, { type: 'submitted', job: { ...j, id, createdAt } });
  return id;
}

/**
 * BullMQ's id of a job: the job's id with a prefix. BullMQ refuses custom ids that are integers,
 * and a job that goes back to the queue (resumed after a stop) needs its own id again.
 */
const bullId = (id: string): string => `job-${id}`;
/** The job's id from BullMQ's. */
const jobId = (bull: string): string => (bull.startsWith('job-') ? bull.slice(4) : bull);

function appendLog(r: Redis, origin: string, id: string, e: JobEntry): Promise<unknown> {
  return r.xadd(LOG, 'MAXLEN', '~', LOG_MAX, '*', 'o', origin, 'j', id, 'm', JSON.stringify(e));
}

export function bullQueue(r: Redis): Queue {
  return new Queue(QUEUE, { connection: r, prefix: PREFIX });
}

export class RedisQueue implements JobQueue {
  readonly kind = 'redis';
  /** This daemon's records in the log (a fresh one per start). */
  private readonly origin = randomUUID();
  private readonly cmd: Redis;
  private readonly tail: Redis;
  private readonly sub: Redis;
  private readonly queue: Queue;
  private worker: Worker | null = null;
  private closed = false;
  private applying: Promise<void> = Promise.resolve();
  private tailing: Promise<void> = Promise.resolve();

  constructor(private readonly o: RedisQueueOptions) {
    this.cmd = connect(o.url);
    this.tail = connect(o.url);
    this.sub = connect(o.url);
    this.queue = bullQueue(this.cmd);
  }

  /** Where this daemon's records go: the log (applied back from it, like every daemon's). */
  record = (id: string, e: JobEntry): void => {
    appendLog(this.cmd, this.origin, id, e).catch((err) => this.o.log(`actorgrad daemon: cannot append job ${id}'s '${e.type}' record to the Redis log (${(err as Error).message})`));
  };

  private logId = '';

  /** Where this store keeps how far it has applied the log (a new Redis, a new log: from its start). */
  private get cursorKey() {
    return `redis-log:${this.logId}`;
  }

  /** Says when Redis goes away and when it is back. */
  private watch(downAtStart: boolean): void {
    let down = downAtStart;
    this.cmd.on('error', (e: Error) => {
      if (down || this.closed) return;
      down = true;
      this.o.log(`actorgrad daemon: Redis at ${redact(this.o.url)} is unreachable (${e.message}); waiting for it (running jobs go on, their records wait)`);
    });
    this.cmd.on('ready', () => {
      if (!down) return;
      down = false;
      this.o.log('actorgrad daemon: Redis is back; going on');
    });
  }

  /** Reads the log to its end and applies what this store has not seen yet. */
  async catchUp(): Promise<void> {
    for (;;) {
      const from = this.o.store.meta(this.cursorKey) ?? '0';
      const rows = await this.cmd.xrange(LOG, from === '0' ? '-' : `(${from}`, '+', 'COUNT', 1000);
      await this.applyRows(rows);
      if (rows.length < 1000) return;
    }
  }

  /** Applies log rows in order, each once (the tail and a catch-up may read the same rows). */
  private applyRows(rows: [string, string[]][]): Promise<void> {
    const next = this.applying.then(() => {
      const store = this.o.store;
      for (const [sid, fields] of rows) {
        const cursor = store.meta(this.cursorKey);
        if (cursor && !after(sid, cursor)) continue;
        const f = Object.fromEntries(fields.flatMap((v, i) => (i % 2 ? [] : [[v, fields[i + 1]!]]))) as { o: string; j: string; m: string };
        store.db.transaction(() => {
          this.o.sup.apply(f.j, JSON.parse(f.m) as JobEntry, f.o === this.origin);
          store.setMeta(this.cursorKey, sid);
        })();
      }
    });
    // A record the store refuses (a full disk) stays unapplied, and the log is read again from it
    // later; the chain goes on for the next caller.
    this.applying = next.catch((e) => this.reportStoreError(e as Error));
    return next;
  }

  private lastStoreError = '';

  private reportStoreError(e: Error): void {
    if (e.message === this.lastStoreError) return;
    this.lastStoreError = e.message;
    this.o.log(`actorgrad daemon: cannot apply the queue's log to the store (${e.message}); trying again`);
  }


  /** Follows the log (blocking reads) until the queue closes. */
  private async follow(): Promise<void> {
    while (!this.closed) {
      const from = this.o.store.meta(this.cursorKey) ?? '0';
      try {
        const res = (await this.tail.xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', LOG, from)) as [string, [string, string[]][]][] | null;
        if (res) await this.applyRows(res[0]![1]);
      } catch (e) {
        if (!this.closed) await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async start(): Promise<void> {
    const problem = await probe(this.o.url);
    if (problem && isConfigError(problem)) throw new DaemonError(`actorgrad daemon: cannot use the queue at ${redact(this.o.url)}: ${problem}`);
    if (problem) this.o.log(`actorgrad daemon: Redis at ${redact(this.o.url)} is unreachable (${problem}); waiting for it`);
    this.watch(problem !== null);
    await this.cmd.set(LOG_ID, randomUUID(), 'NX');
    this.logId = (await this.cmd.get(LOG_ID))!;
    await this.catchUp();
    this.tailing = this.follow();
    await this.sub.subscribe(CONTROL);
    this.sub.on('message', (_ch: string, msg: string) => void this.onControl(msg));
    this.worker = new Worker(QUEUE, (job, token) => this.process(job, token), {
      connection: this.cmd.duplicate({ maxRetriesPerRequest: null }),
      prefix: PREFIX,
      concurrency: this.o.concurrency,
      lockDuration: this.o.lockMs,
      stalledInterval: this.o.lockMs,
      // A machine that dies is not the job's fault: it is resumed however often that happens.
      maxStalledCount: 1_000_000,
      name: this.o.sup.worker,
    });
    this.worker.on('error', () => {}); // Redis errors are reported once by `watch`.
    this.worker.on('lockRenewalFailed', (ids) => {
      // Another daemon took the job over (this one lost Redis for longer than a lock lasts): stop ours.
      for (const id of ids.map(jobId)) if (this.o.sup.isRunning(id)) void this.o.sup.kill(id, 'lost').then(() => this.o.log(`actorgrad daemon: job ${id} was handed to another daemon; its process here is stopped`));
    });
  }

  /** BullMQ's processor: runs one job here, from its last checkpoint, to its end. */
  private async process(bj: Job, token?: string): Promise<unknown> {
    if (!(await this.catchUp().then(() => true, () => false))) return this.putBack(bj, token, 5000);
    const id = jobId(bj.id!);
    if (!this.o.store.job(id)) {
      // Taken before its submitter logged it (it queues first, then logs): logged here, before 'launched'.
      await appendLog(this.cmd, this.origin, id, { type: 'submitted', job: { ...(bj.data as NewJob), id, createdAt: bj.timestamp } });
      await this.catchUp();
    }
    const j = this.o.store.job(id)!;
    if (isDone(j)) return { state: j.state };
    this.o.sup.prepare(id);
    if (j.control.stopRequested) return this.stopUnrun(id);
    const out = await this.o.sup.run(this.o.store.job(id)!);
    // This daemon is shutting down (or cannot record): back to the queue for any daemon.
    if (out.end === 'interrupted' || out.end === 'held') return this.putBack(bj, token, out.end === 'held' ? 5000 : 0);
    if (out.end === 'lost') return { state: out.end }; // Another daemon has it now.
    await this.catchUp();
    await this.o.sweeps.trialEnded(this.o.store.job(id) ?? j);
    if (out.end === 'failed') throw new UnrecoverableError(out.reason);
    return { state: out.end, reason: out.reason };
  }

  /** A job stopped by a user while the daemon running it was dead: stopped, not run (resume continues it). */
  private async stopUnrun(id: string): Promise<{ state: 'stopped' }> {
    const reason = 'stopped by user while the daemon running it was down; resume continues from its last checkpoint';
    this.o.sup.record(id, { type: 'state', state: 'stopped', reason, finishedAt: Date.now() });
    await this.catchUp();
    await this.o.sweeps.trialEnded(this.o.store.job(id)!);
    return { state: 'stopped' };
  }

  /** Puts a job back in the queue, for any daemon, after `ms`. */
  private async putBack(bj: Job, token: string | undefined, ms: number): Promise<never> {
    await bj.moveToDelayed(Date.now() + ms, token);
    throw new DelayedError();
  }

  async submit(j: NewJob): Promise<string> {
    const id = await addJob(this.queue, this.cmd, j, this.origin);
    await this.sync();
    return id;
  }

  /** Applies the log to its end: what this daemon recorded is in its store when this resolves. */
  sync(): Promise<void> {
    return this.catchUp();
  }

  async sweepId(): Promise<string> {
    return nextSweepId(this.cmd);
  }

  async withdraw(id: string): Promise<void> {
    const bj = await this.queue.getJob(bullId(id));
    if (bj && ['waiting', 'delayed', 'prioritized'].includes(await bj.getState())) await bj.remove();
  }

  async requeue(job: JobRow): Promise<void> {
    await this.queue.add(job.name, { ...job, params: job.params }, { jobId: bullId(job.id), removeOnComplete: true, removeOnFail: true, attempts: 1 });
  }

  /** Publishes a control for a job some daemon runs (BullMQ has it active); false otherwise (waiting to be taken over). */
  async forward(job: JobRow, a: Action): Promise<boolean> {
    const bj = await this.queue.getJob(bullId(job.id));
    if (!bj || (await bj.getState()) !== 'active') return false;
    return (await this.cmd.publish(CONTROL, JSON.stringify({ id: job.id, a }))) > 0;
  }

  /** A control published for a job: carried out by the daemon that runs it. */
  private async onControl(msg: string): Promise<void> {
    const { id, a } = JSON.parse(msg) as { id: string; a: Action };
    const j = this.o.store.job(id);
    if (!j || !this.o.sup.isRunning(id)) return;
    await act(this.o.sup, this, j, a);
  }

  async close(): Promise<void> {
    this.closed = true;
    // The worker stops taking jobs; the running ones checkpoint and go back to the queue.
    const closing = this.worker?.close();
    await this.o.sup.shutdown();
    await closing;
    await this.tailing;
    await this.queue.close();
    for (const r of [this.sub, this.tail, this.cmd]) r.disconnect();
  }
}
