import { type ArrayTree, type FloatArray, Tensor, type TensorHandle, fmtShape, nn, noGrad, zeros } from '@actorgrad/core';
import { type Schedule, withPool } from '@actorgrad/optim';
import { type MonoTypeOperatorFunction, type Observable, type OperatorFunction, Subject, concat, defer, firstValueFrom, map, of, pipe, retry, timer } from 'rxjs';
import { SlabPool, intoSlabs, transformationOf } from '../actors/step.js';
import { type ChunkSlots, makeSlots, slotState } from '../actors/slots.js';
import { abortStep } from '../actors/sync.js';
import { Arena, sharedArray } from '../arena.js';
import type { EngineEvent } from '../events.js';
import { backwardThrough, clipGradients, computeLoss, forwardThrough, gatherInOrder, optimizerStep, reduceGradients, scatter, type Shard } from '../operators/index.js';
import { type ActorMsg, type ActorReply, type LayerDesc, type LossKind, type LossMsg, type OptimizerConfig, type ProgramMsg, type ReduceMsg, type SharedGemm, type BackwardMsg, type StepItem, type StepMsg, type StepProgram, type StepSync, SYNC, syncCtlSize, type WorkerInfo } from '../protocol.js';
import { Actor } from './actor.js';
import { type Executor, defaultThreads, inlineExecutor, poolExecutor } from './executor.js';
import { type Placement, type ResolvedPlacement, auto, resolvePlacement } from './placement.js';
import { type ReplicaOutcome, ResidentLoops, type StepTimes } from './resident.js';
import { type RouteReply, type RouteStop, holdRoute, sendRoute } from './route.js';
import { chunkLayout, rechunk } from './chunks.js';
import { type StepPlan, planStep } from './plan.js';
import { ActorError, NonFiniteError } from './errors.js';
import { runMessages } from './execute-messages.js';
import { handle, rows } from './handles.js';
import { Messenger } from './messenger.js';
import { StepRollback } from './rollback.js';
import type { Batch, Chunk, Layer, OkReply, ShardBuffers, StepOutcome } from './step-state.js';
import { StopMaker, chunkItem, view, withLosses } from './stops.js';

export { ActorError, NonFiniteError } from './errors.js';
export type { Batch } from './step-state.js';
import { parseEngineOptions } from '../trainer/fit-options.js';

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
 * How long a replica of a synchronised step waits at a barrier for the others before the step is
 * abandoned and re-run message by message. Only a safety net: the engine aborts the barrier as soon
 * as it learns that a replica failed or its thread died.
 */
export const SYNC_TIMEOUT_MS = 5_000;
/** How long a replica spins before sleeping at a barrier of a synchronised step (see `StepSync.spinMs`). */
const SYNC_SPIN_MS = 0.3;

/**
 * How long resident step loops wait for the next step before they end (a loop's pool task keeps the
 * process alive; the next step starts them again, ≈ 1 ms).
 */
const RESIDENT_IDLE_MS = 100;

/** Column blocks of a shared weight gradient (each ≈ 1/8 of the first layer's backward). */
const SHARED_BLOCKS = 8;

/**
 * Elements per optimiser chunk. Chunks are what the replicas claim in the reduction and the
 * optimiser step, so they should be small next to a replica's share (a 200 k-element weight is 13
 * chunks) yet big enough that per-chunk costs vanish. Checkpoints record it (`optimizer_chunk`).
 */
export const CHUNK = 16_384;

/** The chunk size of checkpoints that do not record one (written before it was recorded). */
export const LEGACY_CHUNK = 65_536;

/** A step program as the engine keeps it (see `ProgramMsg`). */
interface Program {
  id: string;
  /** Batch shape, dtypes, training mode and step-arena generation it was built for. */
  key: string;
  sync: StepSync;
  /** Per replica: its route (actors to reserve, messages to announce and name in errors). */
  stops: RouteStop[][];
  /** The step buffers its routes use (outputs for `returnPredictions`). */
  bufs: ShardBuffers[];
  /** Per shard: the program's own inputs and targets (resident loops), or null (re-pointed per step). */
  own: { x: Tensor; target: Tensor }[] | null;
  body: StepProgram;
  /** The optimiser states' slots its step messages point at. */
  slots: SlotSet;
  /** Whether a step has sent it yet. */
  sent: boolean;
}

/**
 * The optimiser states of every chunk in two slots of shared memory (`actors/slots.ts`), shared by
 * all the step programs built while it is current: a program for another batch shape (the last,
 * smaller batch of an epoch) points at the same slots instead of making new ones.
 */
interface SlotSet {
  /** Per chunk: its optimiser state's slots, and the state object of the current slot. */
  slots: ChunkSlots[];
  trees: unknown[];
  /** The slot that holds the current states. */
  parity: 0 | 1;
}

/**
 * Step programs kept, most recent first (one per batch shape seen lately: an epoch's full batches
 * and its last one). As many as a thread holds (`MAX_HELD` in `actors/program.ts`).
 */
const MAX_PROGRAMS = 4;

/**
 * The step engine: a `Sequential` model as a chain of layer actors plus a loss actor, placed on
 * the calling thread or a worker pool; one `step(batch)` is an RxJS pipeline of named operators
 * (scatter → forward → loss → backward → gather in shard order → reduce → clip → optimiser step).
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
  /** Shared memory of the synchronised step, allocated on first use. */
  private sync: StepSync | null = null;
  /** The step program of the last synchronised step (see `synchronised` in `step`). */
  private program: Program | null = null;
  /** Step programs over the current slots, one per batch shape, most recent first (at most `MAX_PROGRAMS`). */
  private programsKept: Program[] = [];
  /** The slots of the step programs (made when a program is first needed, again when the states are replaced). */
  private slotSet: SlotSet | null = null;
  /** The slots that hold newer optimiser states than the chunks' state objects (see `materialise`). */
  private pending: SlotSet | null = null;
  /** The step running, and the worker report running (they take turns with the threads). */
  private stepping: Promise<unknown> | null = null;
  private inquiring: Promise<unknown> | null = null;
  /** Resident step loops running the current program (pool executors), made on first use. */
  private loops: ResidentLoops | null = null;
  /** Whether the last step ran on the resident loops (and `stepTimes` describes it). */
  private lastOnLoops = false;
  /** Makes program ids unique across engines that share a thread (inline, tests). */
  private readonly uid = Math.random().toString(36).slice(2, 10);
  private programs = 0;
  private readonly lossActors: Actor[];
  private readonly messenger: Messenger;
  /** Parameters' gradients and backups (for re-running a lost optimiser step); never reset. */
  private readonly persistent: Arena;
  private readonly stepArena = new Arena('step', 8 << 20);
  private readonly outFeatures: number[];
  private readonly inFeatures: number | null;
  private steps = 0;
  private busy = false;
  private closed = false;

  private constructor(
    private readonly opts: EngineOptions,
    private readonly executor: Executor,
    placement: ResolvedPlacement,
  ) {
    this.placement = placement;
    // Every subscriber first hears which placement was chosen, then the live events.
    const chosen: EngineEvent = { type: 'placement', placement: placement.kind, shards: placement.shards, replicas: placement.replicas, threads: executor.threads, reason: placement.reason };
    this.events$ = concat(of(chosen), this.events);
    const children = opts.model.namedChildren();
    const sizes = children.flatMap(([, m]) => m.namedParameters().map(([, p]) => p.size * 8 + 8));
    this.persistent = new Arena('persistent', Math.max(64, 2 * sizes.reduce((a, b) => a + b, 0)));
    this.layers = children.map(([name, m], index) => {
      const named = m.namedParameters(`${name}.`);
      const params = named.map(([, p]) => p);
      const keys = named.map(([k]) => k);
      const spec = m.spec();
      const desc: LayerDesc = { index, name: `${name}:${spec.type === 'Activation' ? String(spec.args?.kind) : spec.type}`, spec };
      return {
        desc,
        keys,
        params,
        paramHandles: params.map(handle),
        grads: params.map((p) => this.persistent.alloc(p.dtype, p.shape)),
        backups: params.map((p) => this.persistent.alloc(p.dtype, p.shape)),
        replicas: Array.from({ length: placement.replicas }, (_, r) => new Actor(`layer ${desc.name}#${r}`, executor)),
      };
    });
    const init = transformationOf(opts.optimizer, this.lrAt(0));
    // Initial states in slabs of shared memory (a step message then carries a few buffers, not one per array).
    const slabs = new SlabPool();
    // Equal parts of at most CHUNK elements, so the replicas get balanced work.
    this.chunks = chunkLayout(this.paramSizes(), CHUNK).map(({ layer, param, lo, hi }) => {
      const l = this.layers[layer]!;
      return { layer, param, lo, hi, state: withPool(slabs, () => init.init({ [l.keys[param]!]: l.params[param]!.data.subarray(lo, hi) })) };
    });
    this.recycle = this.chunks.map(() => []);
    this.messenger = new Messenger(executor, this.events, opts.retries ?? 3, () => this.steps);
    this.lossActors = Array.from({ length: placement.replicas }, (_, r) => new Actor(`loss ${opts.loss}#${r}`, executor));
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
    const executor = placement.kind === 'inline' ? inlineExecutor() : poolExecutor({ threads: placement.threads, allowCrash: opts.allowCrash ?? false });
    return new Engine(opts, executor, placement);
  }

  get stepCount(): number {
    return this.steps;
  }

  /** The pool's worker threads (empty for inline), e.g. for fault-injection tests. */
  get threads(): unknown[] {
    return 'pool' in this.executor ? ((this.executor as unknown as { pool: { threads: unknown[] } }).pool.threads ?? []) : [];
  }

  /** Each worker thread's counters (messages, busy time, heap), asked over its comlink control API. */
  async workerInfo(): Promise<WorkerInfo[]> {
    // Resident step loops hold the threads: the report waits for a running step, ends the loops
    // (the next step starts them again) and holds off steps until it is done.
    while (this.inquiring || this.stepping) await (this.inquiring ?? this.stepping)!.catch(() => undefined);
    const report = (async () => {
      await this.loops?.stop();
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
    this.materialise();
    return this.chunks.map((c) => c.state);
  }

  set optimizerStates(states: unknown[]) {
    if (!Array.isArray(states) || states.length !== this.chunks.length) {
      throw new RangeError(`Engine: expected ${this.chunks.length} optimiser chunk states, got ${Array.isArray(states) ? states.length : typeof states}`);
    }
    const slabs = new SlabPool();
    this.pending = null;
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

  /** Sets the step counter (when resuming from a checkpoint). */
  set stepCount(n: number) {
    this.steps = n;
  }

  private lrAt(step: number): number {
    const lr = this.opts.schedule ? this.opts.schedule(step) : Number(this.opts.optimizer.options.lr ?? 1e-3);
    if (!Number.isFinite(lr) || lr < 0) throw new RangeError(`Engine: learning rate at step ${step} must be finite and ≥ 0, got ${lr}`);
    return lr;
  }

  private validate(batch: Batch): void {
    const { x, y } = batch ?? ({} as Batch);
    if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new TypeError('engine.step: batch must be {x: Tensor, y: Tensor}');
    if (x.ndim !== 2) throw new RangeError(`engine.step: batch x must be [N, features], got shape ${fmtShape(x.shape)}`);
    const n = x.shape[0]!;
    if (this.inFeatures !== null && x.shape[1] !== this.inFeatures) {
      throw new RangeError(`engine.step: batch x has ${x.shape[1]} features per row but the first layer (${this.layers[0]!.desc.name}) expects ${this.inFeatures}`);
    }
    if (y.shape[0] !== n) throw new RangeError(`engine.step: batch y has ${y.shape[0]} rows but x has ${n}`);
    if (n < this.placement.shards) throw new RangeError(`engine.step: a batch of ${n} rows cannot be split into ${this.placement.shards} shards`);
    if (this.opts.loss === 'crossEntropy' && y.ndim === 1) {
      const classes = this.outFeatures[this.outFeatures.length - 1];
      for (let i = 0; i < n; i++) {
        const v = y.data[i]!;
        if (!Number.isInteger(v) || v < 0 || (classes !== undefined && v >= classes)) {
          throw new RangeError(`engine.step: label ${v} at row ${i} is out of range [0, ${classes ?? '?'})`);
        }
      }
    }
  }

  private allocShard(s: Shard, batch: Batch, outF: number[]): ShardBuffers {
    const n = s.end - s.start;
    const dtype = batch.x.dtype;
    // Every one of these is written in full by the message that produces it: no zero-filling.
    const raw = { zero: false };
    const acts = [rows(batch.x, s.start, s.end), ...outF.map((f) => this.stepArena.alloc(dtype, [n, f], raw))];
    const gActs = acts.map((a, i) => (i === 0 ? a : this.stepArena.alloc(dtype, a.shape, raw)));
    const pGrads = this.layers.map((l) => l.params.map((p) => this.stepArena.alloc('float64', p.shape, raw)));
    return { shard: s, acts, gActs, pGrads, target: rows(batch.y, s.start, s.end) };
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
    this.validate(batch);
    this.busy = true;
    this.lastOnLoops = false;
    const t0 = performance.now();
    const step = this.steps;
    const lr = this.lrAt(step);
    const L = this.layers.length;
    const R = this.placement.replicas;
    const seed = this.opts.seed ?? 0;
    const n = batch.x.shape[0]!;
    const outF = this.inFeatures === null ? probeOutFeatures(this.opts.model, batch.x.shape[1]!) : this.outFeatures;
    const plan = this.planFor(n);
    const shardPlan = plan.shards.map((s) => s.shard);
    // The step's buffers, allocated when first needed: a step program that holds its own skips this.
    let bufs: ShardBuffers[] = [];
    const allocate = () => {
      this.stepArena.reset();
      bufs = shardPlan.map((s) => this.allocShard(s, batch, outF));
    };
    const stops = new StopMaker({ plan, layers: this.layers, lossActors: this.lossActors, loss: this.opts.loss, step, seed: this.opts.seed ?? 0, training: this.opts.model.training });
    const rollback = new StepRollback(this.layers, this.chunks);
    let dead: FloatArray[][] | null = null;

    /**
     * The synchronised step (every replica serves one shard and has a thread of its own): one route
     * per replica — its shard's forward, loss and backward, a barrier, its claims of the reduction,
     * a barrier, its claims of the optimiser step — coordinated through shared memory, with no trip
     * through the main thread in between. The routes are a step program (`ProgramMsg`): built and
     * sent once, then re-run each step with only the step number, learning rate, slot parity and the
     * batch's rows; the optimiser states stay in their slots (`actors/slots.ts`). Resolves to null
     * when a thread died or a barrier timed out: whatever was stepped is then put back and the step
     * runs again message by message.
     */
    const synchronised = async (): Promise<{ losses: number[]; gradNorm: number } | null> => {
      const sync = this.syncMemory();
      const key = `${fmtShape(batch.x.shape)}|${batch.x.dtype}|${batch.y.dtype}|${fmtShape(batch.y.shape.slice(1))}|${stops.c.training}|${this.stepArena.generation}`;
      const slots = this.currentSlots();
      // A program is valid while built for this batch shape over the current slots. Programs for
      // other shapes share the step arena's memory with it: only one step runs at a time.
      let prog = this.programsKept.find((p) => p.key === key && p.sync === sync && p.slots === slots);
      if (!prog) {
        allocate();
        prog = buildProgram(key, sync, slots);
        this.programsKept = [prog, ...this.programsKept.filter((p) => p.slots === slots)].slice(0, MAX_PROGRAMS);
      } else if (this.programsKept[0] !== prog) {
        this.programsKept = [prog, ...this.programsKept.filter((p) => p !== prog)];
      }
      this.program = prog;
      const program = prog;
      const parity = slots.parity;
      const abort = () => abortStep(sync);
      const replies = program.own ? await onLoops(program, parity, abort) : await byMessages(program, parity, abort);
      return conclude(program, parity, replies);
    };

    /** A step of a program as one program message per replica (the inline executor's way: it re-points the program's inputs at the batch). */
    const byMessages = (program: Program, parity: 0 | 1, abort: () => void): Promise<ReplicaOutcome[]> => {
      const shards = shardPlan.map((sh) => ({ x: rows(batch.x, sh.start, sh.end).handle(), target: rows(batch.y, sh.start, sh.end).handle() }));
      const post = (r: number, body: boolean): ProgramMsg => ({
        op: 'program', actor: program.stops[r]![0]!.actor.name, id: program.id, replica: r, step, lr, parity, shards, ...(body && { program: program.body }),
      });
      // The first step of a program brings it; a thread that was not sent it asks again.
      const body = !program.sent;
      program.sent = true;
      const run = (r: number, withBody: boolean) => firstValueFrom(sendRoute(this.executor, program.stops[r]!, post(r, withBody)));
      return Promise.all(
        program.stops.map((stops, r) => {
          for (const s of stops) this.messenger.announce(s.actor, s.msg, r);
          return run(r, body)
            .then((reply) => (!reply.ok && reply.missing ? run(r, true) : reply))
            .then(
              (reply) => {
                if (!reply.ok) abort();
                return { reply, lost: null };
              },
              (lost: unknown) => {
                abort();
                return { reply: null, lost };
              },
            );
        }),
      );
    };

    /**
     * A step of a program on resident loops (pool executors): the batch is copied into the
     * program's own inputs, every actor on the routes is reserved, the bell rung; each message's
     * time comes back through shared memory.
     */
    const onLoops = async (program: Program, parity: 0 | 1, abort: () => void): Promise<ReplicaOutcome[]> => {
      // The rows are copied after the bell, while the threads wake (replica r waits for shard r's).
      const inputs = program.own!;
      const from = shardPlan.map((sh) => ({ x: rows(batch.x, sh.start, sh.end).data, target: rows(batch.y, sh.start, sh.end).data }));
      const fill = (r: number) => {
        inputs[r]!.x.data.set(from[r]!.x);
        inputs[r]!.target.data.set(from[r]!.target);
      };
      const routeLength = program.stops[0]!.length;
      if (this.loops === null) this.loops = new ResidentLoops(this.executor, R, routeLength, defaultThreads());
      await this.loops.ensure(program.id, program.body, program.stops);
      const holds = program.stops.map((stops) => holdRoute(stops));
      const releases = holds.every((h) => typeof h === 'function') ? (holds as (() => void)[]) : await Promise.all(holds);
      program.stops.forEach((stops, r) => {
        for (const s of stops) this.messenger.announce(s.actor, s.msg, r);
      });
      try {
        const outcomes = await this.loops.step(step, lr, parity, abort, fill);
        this.lastOnLoops = true;
        for (let r = 0; r < outcomes.length; r++) {
          const replies = outcomes[r]!.reply?.replies ?? [];
          const stops = program.stops[r]!;
          for (let k = 0; k < replies.length; k++) stops[k]!.actor.record(stops[k]!.msg.op, replies[k]!.micros);
        }
        return outcomes;
      } finally {
        for (const release of releases) release();
        this.loops.stopWhenIdle(RESIDENT_IDLE_MS);
      }
    };

    /** How a program step ended: throws a replica's error, resolves null if lost, else the losses and norm. */
    const conclude = (program: Program, parity: 0 | 1, replies: ReplicaOutcome[]): { losses: number[]; gradNorm: number } | null => {
      const sync = program.sync;
      const failed = replies.findIndex(({ reply }) => reply && !reply.ok && !reply.aborted && !reply.missing);
      const lost = replies.find(({ reply }) => !reply || (!reply.ok && (reply.aborted || reply.missing)));
      if (failed >= 0 || lost) {
        // Put back every chunk that was backed up (it may be half stepped); the states' slot p is untouched.
        rollback.restoreStepped(sync.stepped);
      }
      if (failed >= 0) {
        const reply = replies[failed]!.reply as Extract<RouteReply, { ok: false }>;
        const stop = program.stops[failed]![reply.at]!;
        throw new ActorError(stop.actor.name, stop.msg.op, 'shard' in stop.msg ? stop.msg.shard : null, reply.error);
      }
      if (lost) {
        const why = lost.reply && !lost.reply.ok ? lost.reply.error : lost.lost instanceof Error ? lost.lost.message : String(lost.lost);
        this.events.next({ type: 'warning', step, message: `synchronised step lost (${why}); re-running it message by message` });
        return null;
      }
      const oks = replies.map(({ reply }) => reply as Extract<RouteReply, { ok: true }>);
      const decided = oks[0]!.replies[program.stops[0]!.length - 1] as OkReply;
      if (decided.nonFinite) throw new NonFiniteError(step, decided.nonFinite.what, decided.nonFinite.value);
      let stepped = 0;
      for (let c = 0; c < sync.stepped.length; c++) if (sync.stepped[c] === 2) stepped++;
      if (stepped !== this.chunks.length) throw new Error(`engine: internal error: ${stepped} of ${this.chunks.length} optimiser chunks were stepped`);
      // Commit: the next states are in the other slot (the chunks' state objects are made when asked for).
      program.slots.parity = (1 - parity) as 0 | 1;
      this.pending = program.slots;
      // Replica r served shard r: the losses in shard order.
      // Plain loops, not Array.from / filter / reduce: on a main thread whose caches the step has
      // evicted, this conclusion took 33 µs with them and takes 13 µs with loops.
      const losses = new Array<number>(sync.losses.length);
      for (let s = 0; s < losses.length; s++) losses[s] = sync.losses[s]!;
      let sq = 0;
      for (let c = 0; c < sync.sq.length; c++) sq += sync.sq[c]!; // chunk order
      return { losses, gradNorm: Math.sqrt(sq) };
    };

    /**
     * Builds the step program for this batch shape (see `synchronised`) over the optimiser states'
     * slots `set`; the shards' inputs and targets get handles of the program's own (each step
     * re-points them; the shared `handle` memo must not be changed under anyone else).
     */
    const buildProgram = (key: string, sync: StepSync, set: SlotSet): Program => {
      const { slots } = set;
      // On a pool, resident loops run the program: its inputs are buffers of its own, into which each
      // step copies the batch's rows. Inline, each program message re-points them at the batch.
      const ownInputs = this.executor.kind === 'pool' ? bufs.map((b) => ({ x: zeros(b.acts[0]!.shape, { dtype: b.acts[0]!.dtype }), target: zeros(b.target.shape, { dtype: b.target.dtype }) })) : null;
      const inputs = bufs.map((b, i) => ({ x: (ownInputs?.[i]?.x ?? b.acts[0]!).handle(), target: (ownInputs?.[i]?.target ?? b.target).handle() }));
      stops.own = new Map(bufs.flatMap((b, i) => [[b.acts[0]!, inputs[i]!.x], [b.target, inputs[i]!.target]]));
      try {
        const first = this.layers.findIndex((l) => l.params.length > 0);
        const owner = (r: number) => this.layers[Math.max(first, 0)]!.replicas[r]!;
        const chunkViews = (t: (c: Chunk) => Tensor) => this.chunks.map((c) => view(t(c), c));
        const reduceMsg: ReduceMsg = {
          op: 'reduce', actor: owner(0).name, sync,
          shardGrads: bufs.map((b) => chunkViews((c) => b.pGrads[c.layer]![c.param]!)),
          grads: chunkViews((c) => this.layers[c.layer]!.grads[c.param]!),
        };
        const stepMsg: StepMsg = {
          op: 'step', actor: owner(0).name, optimizer: this.opts.optimizer, lr, gradScale: 1, parity: 0,
          items: this.chunks.map((c, ci) => ({ ...chunkItem(this.layers, c), state: null, slots: slots[ci]! })),
          sync: { ...sync, clipNorm: this.opts.clipNorm ?? null },
        };
        // The first layer's weight gradient (the last and, for wide inputs, the biggest message of a
        // shard's pass) goes through a shared queue of blocks: a replica that is done with its own
        // pass helps the others with theirs instead of waiting at the barrier.
        const first0 = this.layers[0]!;
        const share = R > 1 && first0.desc.spec.type === 'Linear';
        const works: SharedGemm[] = share
          ? bufs.map((b) => ({ shard: b.shard.index, x: stops.h(b.acts[0]!), g: stops.h(b.gActs[1]!), gw: stops.h(b.pGrads[0]![0]!), blocks: SHARED_BLOCKS }))
          : [];
        const bwdStopShared = (l: number, b: ShardBuffers): RouteStop => {
          const stop = stops.backward(l, b);
          if (!share || l !== 0) return stop;
          return { actor: stop.actor, msg: { ...(stop.msg as BackwardMsg), shared: { sync, work: works[b.shard.index]! } } };
        };
        const routes = bufs.map((b, r) => {
          const at = owner(r);
          return [
            ...this.layers.map((_, l) => stops.forward(l, b)),
            withLosses(stops.lossStop(b), sync.losses),
            ...this.layers.map((_, l) => bwdStopShared(L - 1 - l, b)),
            { actor: at, msg: { op: 'sync', actor: at.name, sync, slot: SYNC.arrivedReduce, help: works } },
            { actor: at, msg: { ...reduceMsg, home: r } },
            { actor: at, msg: { op: 'sync', actor: at.name, sync, slot: SYNC.arrivedStep } },
            { actor: at, msg: { ...stepMsg, home: r } },
          ] satisfies RouteStop[];
        });
        const id = `${this.uid}:${++this.programs}`;
        return { id, key, sync, stops: routes, bufs, own: ownInputs, body: { routes: routes.map((r) => r.map((s) => s.msg)), inputs }, slots: set, sent: false };
      } finally {
        stops.own = null;
      }
    };

    /** Message by message (see `runMessages`): the pipelined placements, and the fallback. */
    const messageByMessage = async (): Promise<StepOutcome> => {
      // The pool's threads are needed for messages of their own now.
      await this.loops?.stop();
      this.lastOnLoops = false; // a lost program step re-runs here: the times would not be this step's
      if (bufs.length === 0) allocate();
      this.materialise();
      const out = await runMessages({
        plan, bufs, stops, messenger: this.messenger, rollback, layers: this.layers, chunks: this.chunks, recycle: this.recycle,
        optimizer: this.opts.optimizer, clipNorm: this.opts.clipNorm ?? null, step, lr,
      });
      dead = out.dead;
      return out;
    };

    try {
      // A worker report in progress has the threads (see `workerInfo`).
      if (this.inquiring) await this.inquiring.catch(() => undefined);
      const out = (plan.mode === 'synchronised' ? await synchronised() : null) ?? (await messageByMessage());
      this.recycle = dead ?? this.chunks.map(() => []);
      const { gradNorm } = out;
      const lossSum = out.losses.reduce((a, v) => a + v, 0);
      const ms = performance.now() - t0;
      this.steps++;
      const result: StepResult = { step, loss: lossSum, gradNorm, lr, samples: n, ms };
      if (this.opts.returnPredictions) {
        // A step program's outputs are in the buffers it was built with.
        if (bufs.length === 0) bufs = this.program!.bufs;
        const last = bufs[0]!.acts[L]!;
        const preds = zeros([n, ...last.shape.slice(1)], { dtype: last.dtype });
        const per = last.size / last.shape[0]!;
        for (const b of bufs) preds.data.set(b.acts[L]!.data, b.shard.start * per);
        result.predictions = preds;
      }
      // Built only for someone listening (≈ 20 µs of the main thread per step otherwise wasted).
      if (this.events.observed) {
        this.events.next({ type: 'step', step, loss: lossSum, lr, gradNorm, samples: n, samplesPerSec: (n / ms) * 1000, ms });
        this.events.next({
          type: 'actors',
          step,
          actors: [...this.layers.flatMap((l) => l.replicas), ...this.lossActors].map((a) => ({ name: a.name, busyMicros: a.busyMicros, messages: a.messages, queueDepth: a.queueDepth })),
        });
      }
      return result;
    } catch (e) {
      await this.drain();
      rollback.undo();
      this.events.next({ type: 'error', step, message: e instanceof Error ? e.message : String(e) });
      throw e;
    } finally {
      this.busy = false;
    }
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

  /** Brings the chunks' state objects up to date with the programs' slots, if a step program left them behind. */
  private materialise(): void {
    const set = this.pending;
    if (!set) return;
    this.pending = null;
    this.chunks.forEach((c, ci) => {
      c.state = slotState(set.slots[ci]!, set.parity);
      set.trees[ci] = c.state;
    });
  }

  /**
   * The slots the step programs run on: the current ones while they hold the optimiser states (a
   * program step left newer states in them, or the chunks' state objects are still theirs), else
   * new ones, which the states move into (the programs over the old ones are dropped).
   */
  private currentSlots(): SlotSet {
    const set = this.slotSet;
    if (set && (this.pending === set || set.trees.every((t, i) => t === this.chunks[i]!.state))) return set;
    this.materialise();
    const slots = this.chunks.map((c) => makeSlots(c.state));
    const trees = slots.map((sl, ci) => {
      const t = slotState(sl, 0);
      this.chunks[ci]!.state = t;
      return t;
    });
    this.programsKept = [];
    this.slotSet = { slots, trees, parity: 0 };
    return this.slotSet;
  }

  /** The synchronised step's shared memory, cleared for a new step. */
  private syncMemory(): StepSync {
    const R = this.placement.replicas;
    const chunks = this.chunks.length;
    this.sync ??= {
      ctl: sharedArray(Int32Array, syncCtlSize(R)),
      parties: R,
      sq: sharedArray(Float64Array, chunks),
      losses: sharedArray(Float64Array, this.placement.shards),
      stepped: sharedArray(Int32Array, chunks),
      timeoutMs: SYNC_TIMEOUT_MS,
      spinMs: R <= defaultThreads() ? SYNC_SPIN_MS : 0,
      coop: sharedArray(Int32Array, 1 + 3 * this.placement.shards),
    };
    const s = this.sync;
    s.ctl.fill(0);
    s.coop.fill(0);
    s.stepped.fill(0);
    s.sq.fill(Number.NaN);
    s.losses.fill(Number.NaN);
    return s;
  }

  /**
   * Diagnostics: when the phases of the last step happened, if it ran on resident step loops (a
   * synchronised step on a pool) — the bell, each replica's wake-up and report, the engine seeing
   * the last report, and each replica's messages with their times; null otherwise.
   * `bench/timeline.ts` turns these into where a step's time goes.
   */
  stepTimes(): StepTimes | null {
    return this.lastOnLoops ? (this.loops?.lastTimes() ?? null) : null;
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
    await this.loops?.stop();
    await this.executor.close();
  }
}

/** The output width of every layer, found by running the model once on one zero row. */
function probeOutFeatures(model: nn.Sequential, inFeatures: number): number[] {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      let h = zeros([1, inFeatures], { dtype: model.namedParameters()[0]?.[1].dtype ?? 'float32' });
      return model.layers.map((m) => {
        h = m.forward(h);
        return h.shape[1]!;
      });
    });
  } finally {
    model.train(wasTraining);
  }
}

/** Multiply-adds per sample of the model's Linear layers (what `auto` placement sizes by). */
function macsPerSample(model: nn.Sequential): number {
  return model.layers.reduce((a, m) => a + (m instanceof nn.Linear ? m.inFeatures * m.outFeatures : 0), 0);
}

export const createEngine = (opts: EngineOptions): Promise<Engine> => Engine.create(opts);
