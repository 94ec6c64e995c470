/**
 * The queue and the job processes: jobs wait in the store ('queued'), run `concurrency` at a time
 * (default 1), each in a process of its own (`runner.ts`, forked), and everything a job process
 * reports goes to the store and to the live view.
 *
 * The queue's backend is the store: `next()` is the one place that picks the job to start, so a
 * shared queue (BullMQ on Redis, issue 19) can replace it without touching the rest.
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
import { paths } from './home.js';
import { type CheckpointPolicy, checkpointPolicy } from './policy.js';
import type { FromJob, ToJob } from './protocol.js';
import type { JobRow, JobState, Store } from './store.js';

const RUNNER = fileURLToPath(new URL(`./runner${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
/** How long a job process has to checkpoint and exit when the daemon shuts down. */
const SHUTDOWN_MS = 60_000;

interface Proc {
  child: ChildProcess;
  done: boolean;
  stderr: string;
  exited: Promise<void>;
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

  constructor(
    private readonly store: Store,
    private readonly runs: RunStore,
    private readonly home: string,
    private readonly concurrency = 1,
  ) {}

  /**
   * After a start: each job that was running when the last daemon died (or shut down) is made
   * ready to resume — a job process it left is killed, what it recorded after the last indexed
   * checkpoint is forgotten (it is recomputed), checkpoint files never indexed are removed. Then
   * every job's history is read back into the live view.
   */
  async recover(): Promise<void> {
    for (const job of this.store.jobs("state IN ('running', 'paused')")) {
      if (job.pid && isProcessAlive(job.pid) && isRunner(job.pid)) {
        process.kill(job.pid, 'SIGKILL');
        for (let i = 0; i < 100 && isProcessAlive(job.pid); i++) await new Promise((r) => setTimeout(r, 20));
      }
      this.store.update(job.id, { pid: null });
      const kept = this.resumePoints(job.id);
      this.store.truncateAfter(job.id, kept[0]?.step ?? 0);
      this.removeUnindexed(job.id);
    }
    for (const job of this.store.jobs()) this.replay(job);
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
    const dir = join(paths(this.home).run(id), 'checkpoints');
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

  /** Adds a validated job to the queue. */
  submit(name: string, spec: unknown, baseDir: string, epochs: number): JobRow {
    const job = this.store.addJob(name, spec, baseDir, epochs);
    const run = this.runs.create(job.name, { id: job.id, startedAt: job.createdAt });
    run.record({ type: 'state', state: 'queued', reason: '' });
    this.schedule();
    return job;
  }

  /** The next job to start: one that was running when the daemon stopped, else the oldest queued. */
  private next(): JobRow | null {
    const free = (j: JobRow) => !this.procs.has(j.id) && !this.held.has(j.id);
    return this.store.jobs("state IN ('running', 'paused')").find(free) ?? this.store.jobs("state = 'queued'").find(free) ?? null;
  }

  /** Starts jobs while there are free slots. */
  schedule(): void {
    while (!this.stopping && this.procs.size < this.concurrency) {
      const job = this.next();
      if (!job) return;
      this.launch(job);
    }
  }

  private launch(job: JobRow): void {
    const runDir = paths(this.home).run(job.id);
    const child = fork(RUNNER, [], { execArgv: process.execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: process.env });
    const proc: Proc = { child, done: false, stderr: '', exited: Promise.resolve() };
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
    const state: JobState = job.control.paused ? 'paused' : 'running';
    this.store.update(job.id, { state, reason: '', pid: child.pid ?? null, attempts: job.attempts + 1, startedAt: job.startedAt ?? Date.now() });
    this.runs.get(job.id)?.record({ type: 'state', state, reason: job.attempts > 0 ? 'resuming' : '' });
    const resume = this.resumePoints(job.id).map((c) => c.path);
    this.control(job.id, { type: 'start', id: job.id, name: job.name, spec: job.spec, baseDir: job.baseDir, runDir, resume, control: job.control });
  }

  private onMessage(id: string, proc: Proc, m: FromJob): void {
    const run = this.runs.get(id);
    if (m.type === 'started') {
      this.store.truncateAfter(id, m.resumedFrom?.step ?? 0);
      this.store.update(id, { epochs: m.epochs, steps: m.steps });
    } else if (m.type === 'events') {
      this.store.recordEvents(id, m.events);
      this.progress(id, m.events);
      for (const { e, t } of m.events) run?.record(e, t);
    } else if (m.type === 'checkpoint') {
      this.store.addCheckpoint({ job: id, ...m.checkpoint });
      this.prune(id);
    } else if (m.type === 'done') {
      proc.done = true;
      if (m.end === 'interrupted') return; // Shutting down: the job stays running and resumes at the next start.
      const state: JobState = m.end;
      this.store.update(id, { state, reason: m.reason, finishedAt: Date.now(), pid: null });
      run?.record({ type: 'state', state, reason: m.reason });
    }
  }

  /**
   * The store refused a write (disk full, read-only): the job's process is stopped without another
   * word to the store — its state stays 'running', so the next start of the daemon resumes it from
   * its last indexed checkpoint, which is whole (the files are written atomically).
   */
  private storeFailed(id: string, proc: Proc, m: FromJob, e: Error): void {
    console.error(`actorgrad daemon: cannot record job ${id}'s '${m.type}' message in the store (${e.message}); its process is stopped and the job resumes from its last checkpoint at the daemon's next start`);
    proc.done = true;
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

  private exited(id: string, proc: Proc, code: number | null, signal: NodeJS.Signals | null): void {
    this.procs.delete(id);
    try {
      // A job whose run failed (saving a checkpoint on a full disk, a bug) said so in its last
      // message; a process that dies without one is reported by how it died.
      if (!proc.done && !this.stopping && this.store.job(id)) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const tail = proc.stderr.trim().split('\n').slice(-3).join(' | ');
        const reason = `the job process ${how}${tail ? `: ${tail}` : ''}`;
        this.store.update(id, { state: 'failed', reason, finishedAt: Date.now(), pid: null });
        this.runs.get(id)?.record({ type: 'state', state: 'failed', reason });
      }
    } catch (e) {
      console.error(`actorgrad daemon: cannot record the end of job ${id} (${(e as Error).message})`);
    }
    this.schedule();
  }

  /** Records a job's state (as the store has it) in the live view. */
  stateChanged(id: string): void {
    const job = this.store.job(id);
    if (job) this.runs.get(id)?.record({ type: 'state', state: job.state as RunState, reason: job.reason });
  }

  /** A stopped job put back in the queue: it resumes from its last checkpoint. */
  requeued(id: string): void {
    this.stateChanged(id);
    this.schedule();
  }

  /** Forgets a removed job's live-view run. */
  forget(id: string): void {
    this.runs.delete(id);
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

  /** Kills a job's process (for `rm`) and waits for it to be gone. */
  async kill(id: string): Promise<void> {
    const p = this.procs.get(id);
    if (!p) return;
    p.done = true;
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
