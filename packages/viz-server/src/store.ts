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
  private nextId = 1;
  private readonly log: Recorded[] = [];
  private readonly steps = new StepSeries();
  private hists: Recorded[] = [];
  private actors: Recorded | null = null;
  private warnings = 0;

  constructor(
    readonly id: string,
    readonly name: string,
    /** When the run began (ms since 1970); events' `t` count from it. */
    readonly startedAt = Date.now(),
  ) {}

  /** The id of the latest event (0 before any). */
  get lastId(): number {
    return this.nextId - 1;
  }

  /**
   * Records an event (at step speed: O(1) amortised, no I/O); `at` is when it happened (ms since
   * 1970, default now), for a history replayed from a store.
   */
  record(e: VizEvent, at = Date.now()): void {
    if (e.type === 'message') return;
    const r: Recorded = { id: this.nextId++, t: at - this.startedAt, e };
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

/** Where `vizCallback` records a run: a `RunStore`, or a relay (a daemon's job process sends the events on). */
export interface RunSink {
  create(name: string): RunRecorder;
}

/** One run as `vizCallback` records it. */
export interface RunRecorder {
  readonly state: RunState;
  record(e: VizEvent): void;
}

/**
 * The runs of one server, by id: by default a slug of the name, made unique ('mnist-adam',
 * 'mnist-adam-2', …); a caller with ids of its own (a daemon's job ids) passes them.
 */
export class RunStore implements RunSink {
  private readonly runs = new Map<string, Run>();

  /** Starts recording a new run; `id` must be unused, `startedAt` defaults to now. */
  create(name: string, o: { id?: string; startedAt?: number } = {}): Run {
    let id = o.id;
    if (id === undefined) {
      const base = slug(name) || 'run';
      id = base;
      for (let n = 2; this.runs.has(id); n++) id = `${base}-${n}`;
    } else if (this.runs.has(id)) throw new Error(`viz-server: a run with id '${id}' exists already`);
    const run = new Run(id, name, o.startedAt);
    this.runs.set(id, run);
    return run;
  }

  /** Forgets a run (its open streams keep what they were sent). */
  delete(id: string): boolean {
    return this.runs.delete(id);
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
