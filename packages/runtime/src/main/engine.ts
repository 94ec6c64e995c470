import { type FloatArray, type Tensor, kernels, nn, zeros } from '@actorgrad/core';
import { type Schedule, baseLearningRate } from '@actorgrad/optim';
import { type Observable, Subject, concat, of } from 'rxjs';
import { SlabPool, intoSlabs } from '../actors/step.js';
import { Arena } from '../arena.js';
import type { EngineEvent } from '../events.js';
import type { LossKind, OptimizerConfig, WorkerInfo } from '../protocol.js';
import { parseEngineOptions } from '../trainer/fit-options.js';
import { Actor } from './actor.js';
import { checkBatch } from './batch-check.js';
import { chunkLayout, rechunk } from './chunks.js';
import { runMessages } from './execute-messages.js';
import { SyncExecutor } from './execute-sync.js';
import { type Executor, inlineExecutor, poolExecutor } from './executor.js';
import { Messenger } from './messenger.js';
import { macsPerSample, probeOutFeatures } from './model-shape.js';
import { initialChunks, makeLayers } from './model-state.js';
import { type StepPlan, planStep } from './plan.js';
import { type Placement, type ResolvedPlacement, auto, resolvePlacement } from './placement.js';
import type { StepTimes } from './resident.js';
import { StepRollback } from './rollback.js';
import { allocShard } from './step-buffers.js';
import { OptimizerSlots } from './step-slots.js';
import type { Batch, Chunk, Layer, ShardBuffers, StepOutcome } from './step-state.js';
import { StopMaker } from './stops.js';

export { ActorError, NonFiniteError } from './errors.js';
export { SYNC_TIMEOUT_MS } from './execute-sync.js';
export type { Batch } from './step-state.js';

export interface EngineOptions {
  /** A `Sequential` model: each of its layers becomes an actor. */
  model: nn.Sequential;
  loss: LossKind;
  optimizer: OptimizerConfig;
  /** Learning rate per step (0-based); overrides `optimizer.options.lr`. */
  schedule?: Schedule;
  placement?: Placement;
  /** Seeds dropout masks (per step, layer and shard). */
  seed?: number;
  /** Global-norm gradient clipping threshold (after the reduction), or null. */
  clipNorm?: number | null;
  /** Fault-injection tests only: lets `crash` messages end a worker thread. */
  allowCrash?: boolean;
  /** Retries of a message whose thread died (default 3). */
  retries?: number;
  /** Copy the model's outputs for the batch into `StepResult.predictions` (for training metrics). */
  returnPredictions?: boolean;
  /**
   * The most bytes of the engine's WebAssembly heap (its arenas, gradients and optimiser state,
   * which the kernels update in place; default and at most 2 GiB = `kernels.WasmHeap.MAX_BYTES`).
   * What does not fit lives in ordinary shared memory, which the kernels reach by copying: a model
   * larger than the heap trains, a little slower, with the same bits. 0: no heap.
   */
  heapBytes?: number;
}

export interface StepResult {
  step: number;
  loss: number;
  gradNorm: number;
  lr: number;
  samples: number;
  ms: number;
  /** The model's outputs for the batch (before the update), if `returnPredictions` was set. */
  predictions?: Tensor;
}

/**
 * Elements per optimiser chunk. Chunks are what the replicas claim in the reduction and the
 * optimiser step, so they should be small next to a replica's share (a 200 k-element weight is 13
 * chunks) yet big enough that per-chunk costs vanish. Checkpoints record it (`optimizer_chunk`).
 */
export const CHUNK = 16_384;

/** The chunk size of checkpoints that do not record one (written before it was recorded). */
export const LEGACY_CHUNK = 65_536;

/** One step while it runs: its plan, messages, buffers (allocated when first needed) and roll-back. */
interface StepRun {
  batch: Batch;
  plan: StepPlan;
  step: number;
  lr: number;
  t0: number;
  stops: StopMaker;
  rollback: StepRollback;
  /** Layer output widths for this batch. */
  outF: number[];
  /** The step's buffers; empty until allocated (a step program that holds its own skips that). */
  bufs: ShardBuffers[];
  /** Old states' arrays per chunk from a message-by-message step: reusable once the step has committed. */
  dead: FloatArray[][] | null;
}

/**
 * The step engine: a `Sequential` model as a chain of layer actors plus a loss actor, placed on
 * the calling thread or a worker pool. It owns the state (parameters, gradients, optimiser states,
 * arenas) and wires a step: the planner (`plan.ts`) says what goes where, an executor runs it —
 * the synchronised program (`execute-sync.ts`) or message by message (`execute-messages.ts`) —
 * and a failed step is undone (`rollback.ts`); events go out on `events$`.
 */
export class Engine {
  readonly events$: Observable<EngineEvent>;
  readonly placement: ResolvedPlacement;
  private readonly events = new Subject<EngineEvent>();
  private readonly layers: Layer[];
  private readonly chunks: Chunk[];
  /** The plans of the last batch sizes seen (a plan depends on nothing else that changes). */
  private readonly plans = new Map<number, StepPlan>();
  /** Per chunk: arrays of its optimiser state that died when the last step committed (see `StepItem.recycle`). */
  private recycle: FloatArray[][];
  /** Where the optimiser states live for step programs. */
  private readonly slots: OptimizerSlots;
  /** The synchronised executor: step programs, their shared memory and resident loops. */
  private readonly synced: SyncExecutor;
  /** The step running, and the worker report running (they take turns with the threads). */
  private stepping: Promise<unknown> | null = null;
  private inquiring: Promise<unknown> | null = null;
  private readonly lossActors: Actor[];
  private readonly messenger: Messenger;
  /** Parameters' gradients and backups (for re-running a lost optimiser step); never reset. */
  private readonly persistent: Arena;
  private readonly stepArena: Arena;
  private readonly outFeatures: number[];
  private readonly inFeatures: number | null;
  private steps = 0;
  private busy = false;
  private closed = false;

  private constructor(
    private readonly opts: EngineOptions,
    private readonly executor: Executor,
    placement: ResolvedPlacement,
    /** Where the engine's arrays live (parameters excepted): the kernels work on them in place. Null where there is no shared WebAssembly memory. */
    private readonly heap: kernels.WasmHeap | null,
  ) {
    this.placement = placement;
    // Every subscriber first hears which placement was chosen, then the live events.
    const chosen: EngineEvent = { type: 'placement', placement: placement.kind, shards: placement.shards, replicas: placement.replicas, threads: executor.threads, reason: placement.reason };
    this.events$ = concat(of(chosen), this.events);
    const children = opts.model.namedChildren();
    const sizes = children.flatMap(([, m]) => m.namedParameters().map(([, p]) => p.size * 8 + 8));
    this.persistent = new Arena('persistent', Math.max(64, 2 * sizes.reduce((a, b) => a + b, 0)), heap);
    this.stepArena = new Arena('step', 8 << 20, heap);
    this.layers = makeLayers(opts.model, this.persistent, placement.replicas, executor);
    this.chunks = initialChunks(this.layers, opts.optimizer, this.lrAt(0), CHUNK, heap);
    this.recycle = this.chunks.map(() => []);
    this.messenger = new Messenger(executor, this.events, opts.retries ?? 3, () => this.steps);
    this.lossActors = Array.from({ length: placement.replicas }, (_, r) => new Actor(`loss ${opts.loss}#${r}`, executor));
    this.slots = new OptimizerSlots(this.chunks, heap);
    this.synced = new SyncExecutor({
      executor, layers: this.layers, chunks: this.chunks, slots: this.slots, messenger: this.messenger, events: this.events,
      optimizer: opts.optimizer, clipNorm: opts.clipNorm ?? null, replicas: placement.replicas, shards: placement.shards,
    });
    const first = children[0]?.[1];
    this.inFeatures = first instanceof nn.Linear ? first.inFeatures : null;
    this.outFeatures = this.inFeatures === null ? [] : probeOutFeatures(opts.model, this.inFeatures);
  }

  /** Builds an engine; `placement` defaults to `auto`. `events$` starts with the placement chosen and why. */
  static async create(options: EngineOptions): Promise<Engine> {
    const opts = parseEngineOptions(options);
    if (!(opts.model instanceof nn.Sequential)) throw new TypeError('Engine: model must be an nn.Sequential');
    if (opts.model.namedChildren().length === 0) throw new RangeError('Engine: the model has no layers');
    const macs = macsPerSample(opts.model);
    const placement = resolvePlacement(opts.placement ?? auto(), macs);
    if (opts.clipNorm !== undefined && opts.clipNorm !== null && !(opts.clipNorm > 0)) {
      throw new RangeError(`Engine: clipNorm must be positive or null, got ${opts.clipNorm}`);
    }
    const heap = opts.heapBytes === 0 ? null : kernels.WasmHeap.create(undefined, opts.heapBytes);
    const executor = placement.kind === 'inline' ? inlineExecutor() : poolExecutor({ threads: placement.threads, allowCrash: opts.allowCrash ?? false, heap });
    return new Engine(opts, executor, placement, heap);
  }

  get stepCount(): number {
    return this.steps;
  }

  /** Sets the step counter (when resuming from a checkpoint). */
  set stepCount(n: number) {
    this.steps = n;
  }

  /** The pool's worker threads (empty for inline), e.g. for fault-injection tests. */
  get threads(): unknown[] {
    return 'pool' in this.executor ? ((this.executor as unknown as { pool: { threads: unknown[] } }).pool.threads ?? []) : [];
  }

  /** The synchronised step's shared memory (tests look at which chunks a program stepped). */
  private get sync() {
    return this.synced.sync;
  }

  /** The step program of the last synchronised step (tests look at its own inputs). */
  private get program() {
    return this.synced.program;
  }

  /** Each worker thread's counters (messages, busy time, heap), asked over its comlink control API. */
  async workerInfo(): Promise<WorkerInfo[]> {
    // Resident step loops hold the threads: the report waits for a running step, ends the loops
    // (the next step starts them again) and holds off steps until it is done.
    while (this.inquiring || this.stepping) await (this.inquiring ?? this.stepping)!.catch(() => undefined);
    const report = (async () => {
      await this.synced.stopLoops();
      return this.executor.workerInfo();
    })();
    this.inquiring = report;
    try {
      return await report;
    } finally {
      this.inquiring = null;
    }
  }

  /**
   * The optimiser state of every parameter chunk (plain data over shared memory), in chunk order.
   * Its arrays are the engine's own, reused two steps later: copy (or serialise) them before then.
   */
  get optimizerStates(): unknown[] {
    this.slots.materialise();
    return this.chunks.map((c) => c.state);
  }

  set optimizerStates(states: unknown[]) {
    if (!Array.isArray(states) || states.length !== this.chunks.length) {
      throw new RangeError(`Engine: expected ${this.chunks.length} optimiser chunk states, got ${Array.isArray(states) ? states.length : typeof states}`);
    }
    const slabs = new SlabPool(undefined, this.heap);
    this.slots.replaced();
    this.chunks.forEach((c, i) => {
      c.state = intoSlabs(states[i], slabs);
    });
    // The dead arrays belonged to the replaced states; whether the new ones use them is unknown.
    this.recycle = this.chunks.map(() => []);
  }

  private paramSizes(): number[][] {
    return this.layers.map((l) => l.params.map((p) => p.size));
  }

  /**
   * Sets the optimiser states from states saved with chunks of `chunk` elements (a checkpoint
   * records it; before it did, chunks had 65 536): re-chunked if that is not this engine's `CHUNK`.
   */
  loadOptimizerStates(states: unknown[], chunk: number): void {
    if (chunk === CHUNK) {
      this.optimizerStates = states;
      return;
    }
    const sizes = this.paramSizes();
    const from = chunkLayout(sizes, chunk);
    if (!Array.isArray(states) || states.length !== from.length) {
      throw new RangeError(`Engine: expected ${from.length} optimiser chunk states (chunks of ${chunk}), got ${Array.isArray(states) ? states.length : typeof states}`);
    }
    this.optimizerStates = rechunk(states, from, chunkLayout(sizes, CHUNK));
  }

  private lrAt(step: number): number {
    const lr = this.opts.schedule ? this.opts.schedule(step) : baseLearningRate(this.opts.optimizer.name, this.opts.optimizer.options);
    if (!Number.isFinite(lr) || lr < 0) throw new RangeError(`Engine: learning rate at step ${step} must be finite and ≥ 0, got ${lr}`);
    return lr;
  }

  /** One training step on a batch; resolves when the parameters are updated. */
  step(batch: Batch): Promise<StepResult> {
    // Refused (a step is running): that call must not pass for the running step.
    if (this.busy) return this.runStep(batch);
    const run = this.runStep(batch);
    this.stepping = run;
    const clear = () => {
      if (this.stepping === run) this.stepping = null;
    };
    run.then(clear, clear);
    return run;
  }

  private async runStep(batch: Batch): Promise<StepResult> {
    if (this.closed) throw new Error('engine.step: the engine is closed');
    if (this.busy) throw new Error('engine.step: a step is already running; await it first');
    checkBatch(batch, { inFeatures: this.inFeatures, firstLayer: this.layers[0]!.desc.name, shards: this.placement.shards, loss: this.opts.loss, classes: this.outFeatures[this.outFeatures.length - 1] });
    // A learning rate the schedule gets wrong fails the step before it starts (the engine stays usable).
    const lr = this.lrAt(this.steps);
    this.busy = true;
    this.synced.forgetTimes();
    const run = this.begin(batch, lr);
    try {
      // A worker report in progress has the threads (see `workerInfo`).
      if (this.inquiring) await this.inquiring.catch(() => undefined);
      const out = await this.execute(run);
      return this.finish(run, out);
    } catch (e) {
      await this.drain();
      run.rollback.undo();
      this.events.next({ type: 'error', step: run.step, message: e instanceof Error ? e.message : String(e) });
      throw e;
    } finally {
      this.busy = false;
    }
  }

  /** A step starting: its plan (made once per batch size) and message maker. */
  private begin(batch: Batch, lr: number): StepRun {
    const t0 = performance.now();
    const step = this.steps;
    const plan = this.planFor(batch.x.shape[0]!);
    const outF = this.inFeatures === null ? probeOutFeatures(this.opts.model, batch.x.shape[1]!) : this.outFeatures;
    const stops = new StopMaker({ plan, layers: this.layers, lossActors: this.lossActors, loss: this.opts.loss, step, seed: this.opts.seed ?? 0, training: this.opts.model.training });
    return { batch, plan, step, lr, t0, stops, rollback: new StepRollback(this.layers, this.chunks), outF, bufs: [], dead: null };
  }

  /**
   * Runs a step's plan: as a synchronised program if the plan says so, else — or if the program
   * step was lost (a thread died, a barrier timed out; what it stepped is put back) — message by message.
   */
  private async execute(run: StepRun): Promise<StepOutcome> {
    const allocate = () => {
      this.stepArena.reset();
      const kernel = this.executor.gemmKernel ?? kernels.gemmKernel();
      run.bufs = run.plan.shards.map(({ shard }) => allocShard(this.stepArena, this.layers, shard, run.batch, run.outF, kernel));
      return run.bufs;
    };
    const { batch, step, lr, stops, rollback } = run;
    if (run.plan.mode === 'synchronised') {
      const out = await this.synced.run({ batch, step, lr, stops, rollback, generation: this.stepArena.generation, allocate });
      if (out) return out;
    }
    // The pool's threads are needed for messages of their own now.
    await this.synced.stopLoops();
    this.synced.forgetTimes(); // a lost program step re-runs here: the times would not be this step's
    if (run.bufs.length === 0) allocate();
    this.slots.materialise();
    const out = await runMessages({
      plan: run.plan, bufs: run.bufs, stops, messenger: this.messenger, rollback, layers: this.layers, chunks: this.chunks, recycle: this.recycle,
      optimizer: this.opts.optimizer, clipNorm: this.opts.clipNorm ?? null, step, lr,
    });
    run.dead = out.dead;
    return out;
  }

  /** A step that has committed: the counter moves on, the result (with predictions if asked for) and its events. */
  private finish(run: StepRun, out: StepOutcome): StepResult {
    const { step, lr } = run;
    const n = run.plan.rows;
    this.recycle = run.dead ?? this.chunks.map(() => []);
    const lossSum = out.losses.reduce((a, v) => a + v, 0);
    const ms = performance.now() - run.t0;
    this.steps++;
    const result: StepResult = { step, loss: lossSum, gradNorm: out.gradNorm, lr, samples: n, ms };
    if (this.opts.returnPredictions) {
      // A step program's outputs are in the buffers it was built with.
      const bufs = run.bufs.length === 0 ? this.synced.program!.bufs : run.bufs;
      const L = this.layers.length;
      const last = bufs[0]!.acts[L]!;
      const preds = zeros([n, ...last.shape.slice(1)], { dtype: last.dtype });
      const per = last.size / last.shape[0]!;
      for (const b of bufs) preds.data.set(b.acts[L]!.data, b.shard.start * per);
      result.predictions = preds;
    }
    // Built only for someone listening (≈ 20 µs of the main thread per step otherwise wasted).
    if (this.events.observed) {
      this.events.next({ type: 'step', step, loss: lossSum, lr, gradNorm: out.gradNorm, samples: n, samplesPerSec: (n / ms) * 1000, ms });
      this.events.next({
        type: 'actors',
        step,
        actors: [...this.layers.flatMap((l) => l.replicas), ...this.lossActors].map((a) => ({ name: a.name, busyMicros: a.busyMicros, messages: a.messages, queueDepth: a.queueDepth })),
      });
    }
    return result;
  }

  /** The plan of a step of `n` rows (see `planStep`), made once per batch size. */
  private planFor(n: number): StepPlan {
    let plan = this.plans.get(n);
    if (!plan) {
      // Batch sizes come from a loader: a few at most; a caller who varies them freely gets a fresh map.
      if (this.plans.size >= 8) this.plans.clear();
      plan = planStep({ paramSizes: this.paramSizes() }, { shards: this.placement.shards, replicas: this.placement.replicas, executor: this.executor }, n, CHUNK);
      this.plans.set(n, plan);
    }
    return plan;
  }

  /**
   * Diagnostics: when the phases of the last step happened, if it ran on resident step loops (a
   * synchronised step on a pool) — the bell, each replica's wake-up and report, the engine seeing
   * the last report, and each replica's messages with their times; null otherwise.
   * `bench/timeline.ts` turns these into where a step's time goes.
   */
  stepTimes(): StepTimes | null {
    return this.synced.stepTimes();
  }

  /** Publishes an event on `events$` (the Trainer reports runs, epochs and checkpoints here). */
  emit(event: EngineEvent): void {
    if (!this.closed) this.events.next(event);
  }

  /** Waits until no actor has a message queued or running (after a failed step). */
  private async drain(): Promise<void> {
    const actors = [...this.layers.flatMap((l) => l.replicas), ...this.lossActors];
    while (actors.some((a) => a.queueDepth > 0)) await new Promise((r) => setTimeout(r, 1));
  }

  /** Reduced gradients of the last step, by parameter name (for tests and diagnostics). */
  lastGradients(): Record<string, FloatArray> {
    return Object.fromEntries(this.layers.flatMap((l) => l.keys.map((k, i) => [k, l.grads[i]!.data])));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.events.complete();
    await this.synced.stopLoops();
    await this.executor.close();
  }
}

export const createEngine = (opts: EngineOptions): Promise<Engine> => Engine.create(opts);
