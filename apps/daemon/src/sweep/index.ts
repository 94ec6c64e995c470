/**
 * Sweeps: a job spec with ranges or lists for some of its fields, a search over them (grid, or
 * random with a seed), a metric to rank the trials by and a budget (max jobs, max concurrent).
 *
 * Every trial is expanded and validated when the sweep is submitted (nothing is queued when one is
 * bad) and kept in the sweep's record, so any daemon can queue the next one. The first
 * `maxConcurrent` trials are queued at once; when trial i ends, trial i + maxConcurrent is queued
 * (under a fixed id, so queuing it twice — a daemon that died just after — is harmless). A trial
 * that stops early (the spec's early stopping) ends and frees its machine for the next.
 *
 * @module
 */
import { Rng } from '@actorgrad/core';
import { z } from 'zod';
import type { JobQueue } from '../queue/index.js';
import { parseJobSpec, type SpecProblem } from '../spec/index.js';
import { issueProblems, problem } from '../spec/problems.js';
import type { JobRow, Store, SweepRow } from '../store.js';
import type { Supervisor } from '../supervisor.js';

const range = z.strictObject({
  min: z.number(),
  max: z.number(),
  scale: z.enum(['linear', 'log']).default('linear'),
  int: z.boolean().default(false),
  steps: z.int().min(2).optional().describe('points of the range in a grid search (required there)'),
});

export const sweepSchema = z.strictObject({
  name: z.string().min(1).default('sweep'),
  base: z.record(z.string(), z.unknown()).describe('the job spec every trial starts from'),
  params: z
    .record(z.string().regex(/^[A-Za-z_$][\w$]*(\.[\w$]+)*$/, 'a dotted path into the job spec, e.g. optimizer.options.lr'), z.union([z.array(z.unknown()).min(1), range]))
    .refine((p) => Object.keys(p).length > 0, 'at least one parameter'),
  search: z.discriminatedUnion('type', [z.strictObject({ type: z.literal('grid') }), z.strictObject({ type: z.literal('random'), seed: z.int().default(0), trials: z.int().min(1).optional() })]).default({ type: 'grid' }),
  metric: z.strictObject({ name: z.string().min(1).default('val_loss'), mode: z.enum(['min', 'max']).default('min') }).default({ name: 'val_loss', mode: 'min' }),
  budget: z.strictObject({ maxJobs: z.int().min(1).max(10_000).default(100), maxConcurrent: z.int().min(1).default(1) }).default({ maxJobs: 100, maxConcurrent: 1 }),
});

export type SweepSpec = z.infer<typeof sweepSchema>;
type Param = SweepSpec['params'][string];

export interface Trial {
  params: Record<string, unknown>;
  spec: Record<string, unknown>;
}

/** The value a range gives at fraction u ∈ [0, 1]. */
function at(r: z.infer<typeof range>, u: number): number {
  const v = r.scale === 'log' ? Math.exp(Math.log(r.min) + u * (Math.log(r.max) - Math.log(r.min))) : r.min + u * (r.max - r.min);
  return r.int ? Math.round(v) : v;
}

/** The values of one parameter in a grid. */
function gridValues(p: Param): unknown[] {
  if (Array.isArray(p)) return p;
  const n = p.steps!;
  return [...new Set(Array.from({ length: n }, (_, i) => at(p, i / (n - 1))))];
}

/** The trials' parameter values: the grid (first parameter slowest), or seeded random draws. */
export function sweepPoints(s: SweepSpec): Record<string, unknown>[] {
  const names = Object.keys(s.params);
  if (s.search.type === 'random') {
    const rng = new Rng(s.search.seed);
    const n = Math.min(s.search.trials ?? s.budget.maxJobs, s.budget.maxJobs);
    return Array.from({ length: n }, () => Object.fromEntries(names.map((k) => {
      const p = s.params[k]!;
      return [k, Array.isArray(p) ? p[rng.int(p.length)] : at(p, rng.next())];
    })));
  }
  let points: Record<string, unknown>[] = [{}];
  for (const k of names) points = points.flatMap((pt) => gridValues(s.params[k]!).map((v) => ({ ...pt, [k]: v })));
  return points.slice(0, s.budget.maxJobs);
}

/** `base` with `path` (dotted; numbers index arrays) set to `value`, copied. */
export function withField(base: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const out = structuredClone(base);
  const keys = path.split('.');
  let o: Record<string, unknown> = out;
  for (const k of keys.slice(0, -1)) {
    if (o[k] === null || typeof o[k] !== 'object') o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys.at(-1)!] = value;
  return out;
}

export type SweepParse = { ok: true; sweep: SweepSpec; trials: Trial[] } | { ok: false; problems: SpecProblem[] };

/** Checks a sweep and every trial it expands to (each trial's problems name the trial and its values). */
export function parseSweep(input: unknown, opts: { allowedDirs: string[]; baseDir: string }): SweepParse {
  const r = sweepSchema.safeParse(input);
  if (!r.success) return { ok: false, problems: r.error.issues.flatMap((i) => issueProblems(i, input, () => [])) };
  const s = r.data;
  const problems: SpecProblem[] = [];
  if (s.search.type === 'grid') {
    for (const [k, p] of Object.entries(s.params)) if (!Array.isArray(p) && p.steps === undefined) problems.push(problem(['params', k, 'steps'], 'the number of grid points of this range (a grid search needs it)', undefined));
  }
  for (const [k, p] of Object.entries(s.params)) {
    if (!Array.isArray(p) && p.scale === 'log' && !(p.min > 0 && p.max > 0)) {
      const end = p.min > 0 ? 'max' : 'min';
      problems.push(problem(['params', k, end], `${end} > 0 (a log scale)`, p[end]));
    }
    if (!Array.isArray(p) && p.min > p.max) problems.push(problem(['params', k, 'max'], `max ≥ min (${p.min})`, p.max));
  }
  if (problems.length) return { ok: false, problems };
  const trials: Trial[] = [];
  for (const [i, params] of sweepPoints(s).entries()) {
    const raw = Object.entries(params).reduce((spec, [k, v]) => withField(spec, k, v), s.base);
    const parsed = parseJobSpec({ ...raw, name: `${s.name}-${i}` }, opts);
    if (parsed.ok) trials.push({ params, spec: parsed.spec as Record<string, unknown> });
    else for (const p of parsed.problems) problems.push({ ...p, path: `$.base${p.path.slice(1)} (trial ${i}: ${JSON.stringify(params)})`, message: `trial ${i} (${JSON.stringify(params)}): ${p.message}` });
  }
  return problems.length ? { ok: false, problems } : { ok: true, sweep: s, trials };
}

/** What a sweep's record keeps: the sweep as given (defaults filled in) and its validated trials. */
export interface SweepRecord {
  sweep: SweepSpec;
  trials: Trial[];
}

/** A trial as `ls --sweep` and the page show it: where it ran and its metric. */
export interface TrialView {
  id: string;
  trial: number;
  state: string;
  worker: string | null;
  params: Record<string, unknown>;
  metric: number | null;
  epoch: number;
  epochs: number;
}

export class Sweeps {
  queue!: JobQueue;

  constructor(
    private readonly store: Store,
    private readonly sup: Supervisor,
  ) {}

  /** Records a validated sweep and queues its first `maxConcurrent` trials; resolves to its id. */
  async create(id: string, parsed: Extract<SweepParse, { ok: true }>, baseDir: string): Promise<SweepRow> {
    const record: SweepRecord = { sweep: parsed.sweep, trials: parsed.trials };
    const row: SweepRow = { id, name: parsed.sweep.name, spec: record, total: parsed.trials.length, createdAt: Date.now() };
    this.sup.record('', { type: 'sweep', sweep: row });
    this.store.addSweep(row); // At once here too (with a shared queue the record comes back through the log).
    for (let i = 0; i < Math.min(parsed.sweep.budget.maxConcurrent, row.total); i++) await this.queueTrial(row, i, baseDir);
    return row;
  }

  private async queueTrial(row: SweepRow, i: number, baseDir: string): Promise<void> {
    const t = (row.spec as SweepRecord).trials[i]!;
    await this.queue.submit({ id: `${row.id}-${i}`, name: String(t.spec.name), spec: t.spec, baseDir, epochs: Number(t.spec.epochs), sweep: row.id, trial: i, params: t.params });
  }

  /** A trial ended (finished, failed or stopped): the trial maxConcurrent further on is queued. */
  async trialEnded(job: JobRow): Promise<void> {
    if (job.sweep === null || job.trial === null) return;
    const row = this.store.sweep(job.sweep);
    if (!row) return;
    const next = job.trial + (row.spec as SweepRecord).sweep.budget.maxConcurrent;
    if (next < row.total) await this.queueTrial(row, next, job.baseDir);
  }

  /** A sweep's trials with their metric (best over epochs, by the sweep's mode), best first. */
  view(id: string): { sweep: { id: string; name: string; total: number; createdAt: number; spec: SweepSpec }; metric: SweepSpec['metric']; trials: TrialView[] } | null {
    const row = this.store.sweep(id);
    if (!row) return null;
    const { metric } = (row.spec as SweepRecord).sweep;
    const pick = metric.mode === 'max' ? Math.max : Math.min;
    const trials = this.store.jobs('sweep = ?', id).map((j) => {
      const values = this.store.epochs(j.id).map((e) => e.logs[metric.name]).filter((v): v is number => typeof v === 'number');
      return { id: j.id, trial: j.trial ?? -1, state: j.state, worker: j.worker, params: j.params ?? {}, metric: values.length ? pick(...values) : null, epoch: j.epoch, epochs: j.epochs };
    });
    const sign = metric.mode === 'max' ? -1 : 1;
    trials.sort((a, b) => (a.metric === null ? 1 : b.metric === null ? -1 : sign * (a.metric - b.metric)) || a.trial - b.trial);
    return { sweep: { id: row.id, name: row.name, total: row.total, createdAt: row.createdAt, spec: (row.spec as SweepRecord).sweep }, metric, trials };
  }
}
