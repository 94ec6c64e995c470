import { StepSeries, afterId } from './series.js';
import type { Recorded, RunConfig, RunState, VizEvent } from './types.js';

/** Histogram snapshots kept per run before the older ones are thinned to every other one. */
const MAX_HISTOGRAMS = 256;
/** Warnings kept per run (later ones still get ids, but only the count is kept). */
const MAX_WARNINGS = 1000;

/** What `/api/runs` lists about a run. */
export interface RunInfo {
  id: string;
  name: string;
  state: RunState;
  reason: string;
  startedAt: number;
  lastId: number;
}

/**
 * One run's record: every event gets the next id; 'step' events go to a downsampled series, 'actors'
 * keep only the latest (they are cumulative counters), histograms are thinned, 'message' events are
 * not kept, the rest (config, placement, epochs, checkpoints, warnings, errors, state) are all kept.
 * Memory is bounded whatever the run's length — see `StepSeries` (≈ 1.6 MB of steps) plus at most
 * 256 histogram snapshots (≈ 0.5 KB per parameter tensor each: 6 tensors ≈ 0.8 MB).
 */
export class Run {
  state: RunState = 'running';
  reason = '';
  config: RunConfig | null = null;
  readonly startedAt = Date.now();
  private nextId = 1;
  private readonly log: Recorded[] = [];
  private readonly steps = new StepSeries();
  private hists: Recorded[] = [];
  private actors: Recorded | null = null;
  private warnings = 0;

  constructor(
    readonly id: string,
    readonly name: string,
  ) {}

  /** The id of the latest event (0 before any). */
  get lastId(): number {
    return this.nextId - 1;
  }

  /** Records an event (at step speed: O(1) amortised, no I/O). */
  record(e: VizEvent): void {
    if (e.type === 'message') return;
    const r: Recorded = { id: this.nextId++, t: Date.now() - this.startedAt, e };
    if (e.type === 'step') this.steps.push(r);
    else if (e.type === 'actors') this.actors = r;
    else if (e.type === 'histogram') this.pushHistogram(r);
    else if (e.type !== 'warning' || this.warnings++ < MAX_WARNINGS) this.log.push(r);
    if (e.type === 'config') this.config = e.config;
    if (e.type === 'state') {
      this.state = e.state;
      this.reason = e.reason;
    }
  }

  private pushHistogram(r: Recorded): void {
    this.hists.push(r);
    if (this.hists.length <= MAX_HISTOGRAMS) return;
    const keep = 16;
    const old = this.hists.slice(0, -keep).filter((_, i) => i % 2 === 1);
    this.hists = [...old, ...this.hists.slice(-keep)];
  }

  /** The kept events with id > `after`, in id order (at most `limit`: the earliest ones). */
  since(after: number, limit = Number.POSITIVE_INFINITY): Recorded[] {
    const parts = [afterId(this.log, after), this.steps.since(after), afterId(this.hists, after)];
    if (this.actors && this.actors.id > after) parts.push([this.actors]);
    const all = parts.flat().sort((a, b) => a.id - b.id);
    return all.length > limit ? all.slice(0, limit) : all;
  }

  /** The run as `/api/runs` lists it. */
  info(): RunInfo {
    return { id: this.id, name: this.name, state: this.state, reason: this.reason, startedAt: this.startedAt, lastId: this.lastId };
  }
}

/** The runs of one server, by id (a slug of the name, made unique: 'mnist-adam', 'mnist-adam-2', …). */
export class RunStore {
  private readonly runs = new Map<string, Run>();

  /** Starts recording a new run. */
  create(name: string): Run {
    const base = slug(name) || 'run';
    let id = base;
    for (let n = 2; this.runs.has(id); n++) id = `${base}-${n}`;
    const run = new Run(id, name);
    this.runs.set(id, run);
    return run;
  }

  get(id: string): Run | undefined {
    return this.runs.get(id);
  }

  list(): RunInfo[] {
    return [...this.runs.values()].map((r) => r.info());
  }
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}
