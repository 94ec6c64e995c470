/**
 * The job processes: each job runs in a process of its own (`runner.ts`, forked), and everything
 * it reports becomes a record of the job (`JobEntry`) that goes to the store and the live view.
 *
 * Which job runs when is the queue's business (`queue/`): the store on one machine, BullMQ on Redis
 * across machines. On one machine a record is applied to the store at once; with Redis it is
 * appended to a shared log that every daemon — this one too — applies to its own store, so any
 * daemon shows every job and can take over a job whose machine died.
 *
 * @module
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isProcessAlive } from '@actorgrad/io';
import { optimizerPath } from '@actorgrad/runtime';
import type { Run, RunState, RunStore, VizEvent } from '@actorgrad/viz-server';
import { type CheckpointPolicy, checkpointPolicy } from './policy.js';
import type { FromJob, JobEnd, ToJob } from './protocol.js';
import type { Control, JobRow, JobState, NewJob, Store, SweepRow } from './store.js';

const RUNNER = fileURLToPath(new URL(`./runner${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
/** How long a job process has to checkpoint and exit when the daemon shuts down. */
const SHUTDOWN_MS = 60_000;

/**
 * What is recorded of a job, in order: what its process reports (`FromJob`) and what the daemons
 * decide (queued, launched on a worker, a state set by a user).
 */
export type JobEntry =
  | FromJob
  | { type: 'submitted'; job: NewJob & { id: string; createdAt: number } }
  | { type: 'launched'; state: 'running' | 'paused'; worker: string; attempts: number; startedAt: number }
  | { type: 'state'; state: JobState; reason: string; control?: Control; finishedAt?: number | null }
  /** A user's control for a job another daemon runs, recorded before it is sent there (see `act`). */
  | { type: 'intent'; control: Control }
  | { type: 'sweep'; sweep: SweepRow }
  /** A user removed the job: its process is killed, its records and files deleted. */
  | { type: 'removed' };

/**
 * How a job's process ended: as it reported (`JobEnd`), killed by the daemon for good (`removed`,
 * or `lost` when another daemon took the job over), or `held` (the store refused its records).
 */
export interface Outcome {
  end: JobEnd | 'removed' | 'lost' | 'held';
  reason: string;
}

export interface SupervisorOptions {
  store: Store;
  runs: RunStore;
  /** Where a job's checkpoints go (a directory every daemon can reach, with a shared queue). */
  runDir: (id: string) => string;
  /** This daemon's name (recorded as the worker of the jobs it runs). */
  worker: string;
  /** Where records go; by default they are applied to this daemon's store at once. */
  record?: (id: string, e: JobEntry) => void;
}

interface Proc {
  child: ChildProcess;
  done: { end: JobEnd; reason: string } | null;
  /** Killed on purpose: how to report it. */
  killed: Outcome['end'] | null;
  stderr: string;
  exited: Promise<Outcome>;
}

/** Whether `pid` is a job process of ours (Linux: its command line names the runner). */
function isRunner(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('runner');
  } catch {
    return false;
  }
}

export class Supervisor {
  private readonly procs = new Map<string, Proc>();
  /** Jobs whose events the store could not take (disk full): not restarted before the daemon is. */
  private readonly held = new Set<string>();
  private stopping = false;
  readonly store: Store;
  private readonly runs: RunStore;
  readonly runDir: (id: string) => string;
  readonly worker: string;
  /** Where records go: applied here at once (one machine), or appended to a shared queue's log. */
  record: (id: string, e: JobEntry) => void;

  constructor(o: SupervisorOptions) {
    this.store = o.store;
    this.runs = o.runs;
    this.runDir = o.runDir;
    this.worker = o.worker;
    this.record = o.record ?? ((id, e) => this.apply(id, e, true));
  }

  /**
   * After a start: a job process a dead daemon left is killed; with `resume` (one machine), each job
   * that was running is made ready to resume (see `prepare`). Then every job's history is read back
   * into the live view.
   */
  async recover(resume: boolean): Promise<void> {
    for (const job of this.store.jobs("state IN ('running', 'paused') AND pid IS NOT NULL")) {
      if (job.pid && isProcessAlive(job.pid) && isRunner(job.pid)) {
        process.kill(job.pid, 'SIGKILL');
        for (let i = 0; i < 100 && isProcessAlive(job.pid); i++) await new Promise((r) => setTimeout(r, 20));
      }
      this.store.update(job.id, { pid: null });
    }
    if (resume) for (const job of this.store.jobs("state IN ('running', 'paused')")) this.prepare(job.id);
    for (const job of this.store.jobs()) this.replay(job);
  }

  /**
   * Makes a job that was running when its daemon died ready to resume: what it recorded after the
   * last indexed checkpoint is forgotten (it is recomputed) and checkpoint files never indexed are
   * removed.
   */
  prepare(id: string): void {
    const kept = this.resumePoints(id);
    this.store.truncateAfter(id, kept[0]?.step ?? 0);
    this.removeUnindexed(id);
  }

  /** A job's indexed checkpoints a run can resume from (not 'best'), newest first, files present. */
  private resumePoints(id: string) {
    const out = [];
    for (const c of this.store.checkpoints(id)) {
      if (c.kind === 'best') continue;
      if (existsSync(c.path)) out.push(c);
      else this.store.removeCheckpoint(id, c.path);
    }
    return out;
  }

  private removeUnindexed(id: string): void {
    const dir = join(this.runDir(id), 'checkpoints');
    if (!existsSync(dir)) return;
    const indexed = new Set(this.store.checkpoints(id).flatMap((c) => [c.path, optimizerPath(c.path)]));
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (!indexed.has(p) && f.endsWith('.safetensors')) rmSync(p, { force: true });
    }
  }

  /** Reads a job's history from the store into a live-view run of the same id. */
  private replay(job: JobRow): void {
    this.runs.delete(job.id);
    const run = this.runs.create(job.name, { id: job.id, startedAt: job.startedAt ?? job.createdAt });
    const events: { e: VizEvent; t: number }[] = [
      ...this.store.events(job.id).map((r) => ({ e: r.data, t: r.t })),
      ...this.store.steps(job.id).map((s) => ({ e: { type: 'step' as const, step: s.step, loss: s.loss, lr: s.lr, gradNorm: s.gradNorm, samples: 0, samplesPerSec: s.samplesPerSec, ms: 0 }, t: s.t })),
      ...this.store.epochs(job.id).map((p) => ({ e: { type: 'epoch' as const, epoch: p.epoch, step: p.step, logs: p.logs }, t: p.t })),
    ];
    events.sort((a, b) => a.t - b.t);
    for (const { e, t } of events) if (e.type !== 'state') run.record(e, t);
    run.record({ type: 'state', state: job.state as RunState, reason: job.reason }, job.finishedAt ?? Date.now());
  }

  /**
   * Applies a record of a job to this daemon's store and live view. `own`: the record is of a job
   * this daemon runs (it then also prunes the job's old checkpoints).
   */
  apply(id: string, e: JobEntry, own: boolean): void {
    const run = this.runs.get(id);
    if (e.type === 'submitted') {
      const job = this.store.addJob(e.job);
      if (!this.runs.get(job.id)) this.runs.create(job.name, { id: job.id, startedAt: job.createdAt }).record({ type: 'state', state: 'queued', reason: '' }, job.createdAt);
    } else if (e.type === 'removed') {
      void this.kill(id, 'removed');
      this.store.removeJob(id);
      this.runs.delete(id);
      rmSync(this.runDir(id), { recursive: true, force: true });
    } else if (e.type === 'sweep') {
      this.store.addSweep(e.sweep);
    } else if (e.type === 'launched') {
      this.store.update(id, { state: e.state, reason: '', worker: e.worker, attempts: e.attempts, startedAt: this.store.job(id)?.startedAt ?? e.startedAt });
      run?.record({ type: 'state', state: e.state, reason: e.attempts > 1 ? `resuming on ${e.worker}` : '' });
    } else if (e.type === 'intent') {
      this.store.update(id, { control: e.control });
    } else if (e.type === 'state') {
      this.store.update(id, { state: e.state, reason: e.reason, ...(e.control ? { control: e.control } : {}), ...(e.finishedAt !== undefined ? { finishedAt: e.finishedAt } : {}) });
      run?.record({ type: 'state', state: e.state as RunState, reason: e.reason });
    } else if (e.type === 'started') {
      this.store.truncateAfter(id, e.resumedFrom?.step ?? 0);
      this.store.update(id, { epochs: e.epochs, steps: e.steps });
    } else if (e.type === 'events') {
      this.store.recordEvents(id, e.events);
      this.progress(id, e.events);
      for (const { e: ev, t } of e.events) run?.record(ev, t);
    } else if (e.type === 'checkpoint') {
      this.store.addCheckpoint({ job: id, ...e.checkpoint });
      if (own) this.prune(id);
    } else if (e.type === 'done' && e.end !== 'interrupted') {
      // 'interrupted': the daemon is shutting down; the job stays running and resumes at the next start.
      this.store.update(id, { state: e.end, reason: e.reason, finishedAt: Date.now(), pid: null });
      run?.record({ type: 'state', state: e.end, reason: e.reason });
    }
  }

  /** Whether a job can be started here now (not running here, not held after a store failure). */
  free(id: string): boolean {
    return !this.procs.has(id) && !this.held.has(id) && !this.stopping;
  }

  /** The number of job processes running. */
  get active(): number {
    return this.procs.size;
  }

  /** Runs a job in a process of its own, from its newest checkpoint that loads; resolves when the process is gone. */
  run(job: JobRow): Promise<Outcome> {
    const child = fork(RUNNER, [], { execArgv: process.execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: process.env });
    const proc = { child, done: null, killed: null, stderr: '' } as Omit<Proc, 'exited'> as Proc;
    proc.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(this.exited(job.id, proc, code, signal))));
    this.procs.set(job.id, proc);
    child.stderr?.on('data', (d: Buffer) => {
      proc.stderr = (proc.stderr + d.toString()).slice(-4000);
    });
    child.on('message', (m: FromJob) => {
      try {
        this.onMessage(job.id, proc, m);
      } catch (e) {
        this.storeFailed(job.id, proc, m, e as Error);
      }
    });
    child.on('error', () => {}); // 'exit' follows and reports it.
    this.store.update(job.id, { pid: child.pid ?? null });
    const state = job.control.paused ? 'paused' : 'running';
    this.record(job.id, { type: 'launched', state, worker: this.worker, attempts: job.attempts + 1, startedAt: Date.now() });
    const resume = this.resumePoints(job.id).map((c) => c.path);
    this.control(job.id, { type: 'start', id: job.id, name: job.name, spec: job.spec, baseDir: job.baseDir, runDir: this.runDir(job.id), resume, control: job.control });
    return proc.exited;
  }

  private onMessage(id: string, proc: Proc, m: FromJob): void {
    if (m.type === 'done') proc.done = { end: m.end, reason: m.reason };
    this.record(id, m);
  }

  /**
   * The store refused a write (disk full, read-only): the job's process is stopped without another
   * word to the store — its state stays 'running', so the next start of the daemon resumes it from
   * its last indexed checkpoint, which is whole (the files are written atomically).
   */
  private storeFailed(id: string, proc: Proc, m: FromJob, e: Error): void {
    console.error(`actorgrad daemon: cannot record job ${id}'s '${m.type}' message in the store (${e.message}); its process is stopped and the job resumes from its last checkpoint at the daemon's next start`);
    proc.killed = 'held';
    this.held.add(id);
    proc.child.kill('SIGKILL');
  }

  /** The job's step, epoch and best monitored value, from a batch of its events. */
  private progress(id: string, events: { e: VizEvent }[]): void {
    const job = this.store.job(id);
    if (!job) return;
    const policy: CheckpointPolicy = checkpointPolicy(job.spec as never);
    const fields: Partial<JobRow> = {};
    for (const { e } of events) {
      if (e.type === 'step') fields.step = e.step + 1; // Steps done (the event's step is 0-based).
      if (e.type !== 'epoch') continue;
      fields.epoch = e.epoch + 1;
      const monitor = policy.best?.monitor ?? ('val_loss' in e.logs ? 'val_loss' : 'loss');
      const v = e.logs[monitor];
      const max = policy.best?.mode === 'max';
      const best = fields.best ?? job.best;
      if (v !== undefined && (!best || best.monitor !== monitor || (max ? v > best.value : v < best.value))) fields.best = { monitor, value: v, epoch: e.epoch };
    }
    this.store.update(id, fields);
  }

  /** Keeps the `keep` newest periodic/stop checkpoints of a job; snapshots, final and best stay. */
  private prune(id: string): void {
    const job = this.store.job(id);
    if (!job) return;
    const { keep } = checkpointPolicy(job.spec as never);
    const rolling = this.store.checkpoints(id).filter((c) => c.kind === 'periodic' || c.kind === 'stop');
    for (const c of rolling.slice(keep)) {
      this.store.removeCheckpoint(id, c.path);
      rmSync(c.path, { force: true });
      rmSync(optimizerPath(c.path), { force: true });
    }
  }

  private exited(id: string, proc: Proc, code: number | null, signal: NodeJS.Signals | null): Outcome {
    this.procs.delete(id);
    if (proc.killed) return { end: proc.killed, reason: '' };
    if (proc.done) return proc.done;
    if (this.stopping) return { end: 'interrupted', reason: 'the daemon is shutting down' };
    // A job whose run failed (saving a checkpoint on a full disk, a bug) said so in its last
    // message; a process that dies without one is reported by how it died.
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const tail = proc.stderr.trim().split('\n').slice(-3).join(' | ');
    const reason = `the job process ${how}${tail ? `: ${tail}` : ''}`;
    try {
      if (this.store.job(id)) this.record(id, { type: 'done', end: 'failed', reason });
    } catch (e) {
      console.error(`actorgrad daemon: cannot record the end of job ${id} (${(e as Error).message})`);
    }
    return { end: 'failed', reason };
  }

  /** Sends a message to a job's process; false when the job has no process (or its channel closed). */
  control(id: string, m: ToJob): boolean {
    const p = this.procs.get(id);
    if (!p?.child.connected) return false;
    p.child.send(m);
    return true;
  }

  isRunning(id: string): boolean {
    return this.procs.has(id);
  }

  /** Kills a job's process (`removed`: for `rm`; `lost`: another daemon has the job now) and waits for it to be gone. */
  async kill(id: string, why: 'removed' | 'lost' = 'removed'): Promise<void> {
    const p = this.procs.get(id);
    if (!p) return;
    p.killed = why;
    p.child.kill('SIGKILL');
    await p.exited;
  }

  /** Asks every job process to checkpoint at its next step boundary and exit; waits (then kills). */
  async shutdown(): Promise<void> {
    this.stopping = true;
    const all = [...this.procs.values()];
    for (const id of this.procs.keys()) this.control(id, { type: 'shutdown' });
    const timer = setTimeout(() => {
      for (const p of all) p.child.kill('SIGKILL');
    }, SHUTDOWN_MS);
    await Promise.all(all.map((p) => p.exited));
    clearTimeout(timer);
  }
}
