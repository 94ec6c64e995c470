/**
 * The daemon's embedded store: one SQLite database (better-sqlite3, WAL) under the data directory
 * with the jobs, their step and epoch metrics, their events and the index of their checkpoints.
 *
 * Every write of one IPC message from a job process is one transaction, and the store is written
 * in the order the job process sends: a checkpoint at step S is indexed only after every metric up
 * to S is in, which is what lets a resume after a crash recompute the lost tail without a gap.
 * Steps are keyed (job, step) and epochs (job, epoch): a recomputed value replaces, never repeats.
 *
 * @module
 */
import Database from 'better-sqlite3';
import type { VizEvent } from '@actorgrad/viz-server';

export type JobState = 'queued' | 'running' | 'paused' | 'finished' | 'failed' | 'stopped';

/** What the user asked a job to be: paused or not, a learning-rate override. Survives restarts. */
export interface Control {
  paused: boolean;
  lr: number | null;
  /**
   * A stop was given while another daemon of a shared queue ran the job: kept, so that the stop
   * holds if that daemon died before carrying it out (the daemon taking the job over stops it).
   */
  stopRequested?: boolean;
}

export interface JobRow {
  id: string;
  name: string;
  spec: unknown;
  baseDir: string;
  state: JobState;
  reason: string;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  best: { monitor: string; value: number; epoch: number } | null;
  pid: number | null;
  attempts: number;
  control: Control;
  /** The sweep the job is a trial of, its index in it and the values the sweep gave its spec. */
  sweep: string | null;
  trial: number | null;
  params: Record<string, unknown> | null;
  /** The daemon that runs (or last ran) it, by its `--name`. */
  worker: string | null;
}

/** A new job, as it is queued (the id is given by a shared queue, else by the store). */
export interface NewJob {
  id?: string;
  name: string;
  spec: unknown;
  baseDir: string;
  epochs: number;
  createdAt?: number;
  sweep?: string | null;
  trial?: number | null;
  params?: Record<string, unknown> | null;
}

/** A sweep: its validated spec and how many trials it expands to. */
export interface SweepRow {
  id: string;
  name: string;
  spec: unknown;
  total: number;
  createdAt: number;
}

export interface CheckpointRow {
  job: string;
  step: number;
  epoch: number;
  path: string;
  kind: 'periodic' | 'best' | 'snapshot' | 'stop' | 'final';
  t: number;
}

export interface StepRow {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  samplesPerSec: number;
  t: number;
}

export interface EventRow {
  id: number;
  step: number | null;
  t: number;
  type: string;
  data: VizEvent;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  spec TEXT NOT NULL,
  base_dir TEXT NOT NULL,
  state TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  epoch INTEGER NOT NULL DEFAULT 0,
  epochs INTEGER NOT NULL DEFAULT 0,
  step INTEGER NOT NULL DEFAULT 0,
  steps INTEGER NOT NULL DEFAULT 0,
  best TEXT,
  pid INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  control TEXT NOT NULL DEFAULT '{"paused":false,"lr":null}'
);
CREATE TABLE IF NOT EXISTS steps (
  job TEXT NOT NULL, step INTEGER NOT NULL, loss REAL, lr REAL, grad_norm REAL, samples_per_sec REAL, t INTEGER NOT NULL,
  PRIMARY KEY (job, step)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS epochs (
  job TEXT NOT NULL, epoch INTEGER NOT NULL, step INTEGER NOT NULL, logs TEXT NOT NULL, t INTEGER NOT NULL,
  PRIMARY KEY (job, epoch)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, job TEXT NOT NULL, step INTEGER, t INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_job ON events (job, id);
CREATE TABLE IF NOT EXISTS checkpoints (
  job TEXT NOT NULL, path TEXT NOT NULL, step INTEGER NOT NULL, epoch INTEGER NOT NULL, kind TEXT NOT NULL, t INTEGER NOT NULL,
  PRIMARY KEY (job, path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sweeps (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, spec TEXT NOT NULL, total INTEGER NOT NULL, created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

/** Columns added to \`jobs\` after its first version: added to an older store when it opens. */
const ADDED_COLUMNS = { sweep: 'TEXT', trial: 'INTEGER', params: 'TEXT', worker: 'TEXT' };

type Raw = Record<string, unknown>;

function jobFrom(r: Raw): JobRow {
  return {
    id: r.id as string,
    name: r.name as string,
    spec: JSON.parse(r.spec as string),
    baseDir: r.base_dir as string,
    state: r.state as JobState,
    reason: r.reason as string,
    createdAt: r.created_at as number,
    startedAt: (r.started_at as number | null) ?? null,
    finishedAt: (r.finished_at as number | null) ?? null,
    epoch: r.epoch as number,
    epochs: r.epochs as number,
    step: r.step as number,
    steps: r.steps as number,
    best: r.best ? JSON.parse(r.best as string) : null,
    pid: (r.pid as number | null) ?? null,
    attempts: r.attempts as number,
    control: JSON.parse(r.control as string),
    sweep: (r.sweep as string | null) ?? null,
    trial: (r.trial as number | null) ?? null,
    params: r.params ? JSON.parse(r.params as string) : null,
    worker: (r.worker as string | null) ?? null,
  };
}

/** Column names of `jobs` that `update` may set, by JobRow field. */
const COLUMNS: Partial<Record<keyof JobRow, string>> = {
  state: 'state',
  reason: 'reason',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  epoch: 'epoch',
  epochs: 'epochs',
  step: 'step',
  steps: 'steps',
  best: 'best',
  pid: 'pid',
  attempts: 'attempts',
  control: 'control',
  worker: 'worker',
};

export class Store {
  readonly db: Database.Database;

  constructor(readonly file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    const have = new Set((this.db.pragma('table_info(jobs)') as { name: string }[]).map((c) => c.name));
    for (const [col, type] of Object.entries(ADDED_COLUMNS)) if (!have.has(col)) this.db.exec(`ALTER TABLE jobs ADD COLUMN ${col} ${type}`);
  }

  close(): void {
    this.db.close();
  }

  /** `PRAGMA integrity_check`: 'ok' or the problems SQLite found. */
  integrity(): string {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  }

  /** Adds a queued job; without a given id, its id is its number in the store ('1', '2', …). An id already there is left as it is. */
  addJob(j: NewJob): JobRow {
    const tx = this.db.transaction(() => {
      if (j.id !== undefined && this.job(j.id)) return j.id;
      const { lastInsertRowid } = this.db
        .prepare("INSERT INTO jobs (id, name, spec, base_dir, state, created_at, epochs, sweep, trial, params) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?)")
        .run(j.id ?? '', j.name, JSON.stringify(j.spec), j.baseDir, j.createdAt ?? Date.now(), j.epochs, j.sweep ?? null, j.trial ?? null, j.params ? JSON.stringify(j.params) : null);
      if (j.id !== undefined) return j.id;
      this.db.prepare('UPDATE jobs SET id = ? WHERE seq = ?').run(String(lastInsertRowid), lastInsertRowid);
      return String(lastInsertRowid);
    });
    return this.job(tx())!;
  }

  addSweep(s: SweepRow): void {
    this.db.prepare('INSERT OR IGNORE INTO sweeps (id, name, spec, total, created_at) VALUES (?, ?, ?, ?, ?)').run(s.id, s.name, JSON.stringify(s.spec), s.total, s.createdAt);
  }

  sweep(id: string): SweepRow | null {
    const r = this.db.prepare('SELECT * FROM sweeps WHERE id = ?').get(id) as Raw | undefined;
    return r ? { id: r.id as string, name: r.name as string, spec: JSON.parse(r.spec as string), total: r.total as number, createdAt: r.created_at as number } : null;
  }

  sweeps(): SweepRow[] {
    return (this.db.prepare('SELECT id FROM sweeps ORDER BY created_at').all() as { id: string }[]).map((r) => this.sweep(r.id)!);
  }

  meta(key: string): string | null {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  job(id: string): JobRow | null {
    const r = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Raw | undefined;
    return r ? jobFrom(r) : null;
  }

  jobs(where = '1 = 1', ...args: unknown[]): JobRow[] {
    return (this.db.prepare(`SELECT * FROM jobs WHERE ${where} ORDER BY seq`).all(...args) as Raw[]).map(jobFrom);
  }

  update(id: string, fields: Partial<JobRow>): void {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [k, v] of Object.entries(fields)) {
      const col = COLUMNS[k as keyof JobRow];
      if (!col) throw new Error(`store: job field '${k}' cannot be updated`);
      sets.push(`${col} = ?`);
      values.push(v !== null && typeof v === 'object' ? JSON.stringify(v) : v);
    }
    if (sets.length) this.db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
  }

  /** Deletes a job and everything recorded of it (its files are the caller's). */
  removeJob(id: string): void {
    this.db.transaction(() => {
      for (const t of ['steps', 'epochs', 'events', 'checkpoints']) this.db.prepare(`DELETE FROM ${t} WHERE job = ?`).run(id);
      this.db.prepare('DELETE FROM jobs WHERE id = ?').run(id);
    })();
  }

  /** Records a batch of a job's events, in one transaction: steps, epochs, the rest as events. */
  recordEvents(job: string, batch: { e: VizEvent; t: number }[]): void {
    const step = this.db.prepare('INSERT OR REPLACE INTO steps (job, step, loss, lr, grad_norm, samples_per_sec, t) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const epoch = this.db.prepare('INSERT OR REPLACE INTO epochs (job, epoch, step, logs, t) VALUES (?, ?, ?, ?, ?)');
    const event = this.db.prepare('INSERT INTO events (job, step, t, type, data) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const { e, t } of batch) {
        if (e.type === 'step') step.run(job, e.step, e.loss, e.lr, e.gradNorm, e.samplesPerSec, t);
        else if (e.type === 'epoch') epoch.run(job, e.epoch, e.step, JSON.stringify(e.logs), t);
        else if (e.type !== 'actors' && e.type !== 'message') event.run(job, 'step' in e ? e.step : null, t, e.type, JSON.stringify(e));
      }
    })();
  }

  /**
   * Forgets what a job recorded after its first `done` steps (it is about to be recomputed from a
   * checkpoint taken then): the steps of index ≥ done (a step event's `step` is 0-based), epochs
   * and checkpoints that came later, histograms of later steps.
   */
  truncateAfter(job: string, done: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM steps WHERE job = ? AND step >= ?').run(job, done);
      this.db.prepare('DELETE FROM epochs WHERE job = ? AND step > ?').run(job, done);
      this.db.prepare("DELETE FROM events WHERE job = ? AND ((step >= ? AND type IN ('histogram', 'nonfinite')) OR (step > ? AND type = 'checkpoint'))").run(job, done, done);
    })();
  }

  steps(job: string, after = -1): StepRow[] {
    return (
      this.db.prepare('SELECT step, loss, lr, grad_norm, samples_per_sec, t FROM steps WHERE job = ? AND step > ? ORDER BY step').all(job, after) as Raw[]
    ).map((r) => ({ step: r.step as number, loss: r.loss as number, lr: r.lr as number, gradNorm: r.grad_norm as number, samplesPerSec: r.samples_per_sec as number, t: r.t as number }));
  }

  epochs(job: string): { epoch: number; step: number; logs: Record<string, number>; t: number }[] {
    return (this.db.prepare('SELECT * FROM epochs WHERE job = ? ORDER BY epoch').all(job) as Raw[]).map((r) => ({
      epoch: r.epoch as number,
      step: r.step as number,
      logs: JSON.parse(r.logs as string),
      t: r.t as number,
    }));
  }

  events(job: string, after = 0, types?: string[]): EventRow[] {
    const filter = types ? ` AND type IN (${types.map(() => '?').join(', ')})` : '';
    return (this.db.prepare(`SELECT * FROM events WHERE job = ? AND id > ?${filter} ORDER BY id`).all(job, after, ...(types ?? [])) as Raw[]).map((r) => ({
      id: r.id as number,
      step: (r.step as number | null) ?? null,
      t: r.t as number,
      type: r.type as string,
      data: JSON.parse(r.data as string),
    }));
  }

  addCheckpoint(c: CheckpointRow): void {
    this.db.prepare('INSERT OR REPLACE INTO checkpoints (job, path, step, epoch, kind, t) VALUES (?, ?, ?, ?, ?, ?)').run(c.job, c.path, c.step, c.epoch, c.kind, c.t);
  }

  removeCheckpoint(job: string, path: string): void {
    this.db.prepare('DELETE FROM checkpoints WHERE job = ? AND path = ?').run(job, path);
  }

  /** A job's indexed checkpoints, newest step first. */
  checkpoints(job: string, kind?: CheckpointRow['kind']): CheckpointRow[] {
    const rows = kind
      ? this.db.prepare('SELECT * FROM checkpoints WHERE job = ? AND kind = ? ORDER BY step DESC, t DESC').all(job, kind)
      : this.db.prepare('SELECT * FROM checkpoints WHERE job = ? ORDER BY step DESC, t DESC').all(job);
    return rows as CheckpointRow[];
  }
}
