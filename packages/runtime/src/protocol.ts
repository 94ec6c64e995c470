import type { FloatArray, ModuleSpec, TensorHandle, kernels } from '@actorgrad/core';
import type { ChunkSlots } from './actors/slots.js';

/**
 * The messages actors exchange with the pool. Every tensor travels as a `TensorHandle` over a
 * `SharedArrayBuffer` — never as data; posting a handle shares the memory.
 */

/** What a layer actor is: its index in the model, a display name and the module spec. */
export interface LayerDesc {
  index: number;
  name: string;
  spec: ModuleSpec;
}

export interface ForwardMsg {
  op: 'forward';
  actor: string;
  layer: LayerDesc;
  step: number;
  shard: number;
  seed: number;
  training: boolean;
  x: TensorHandle;
  out: TensorHandle;
  params: TensorHandle[];
}

export interface BackwardMsg {
  op: 'backward';
  actor: string;
  layer: LayerDesc;
  step: number;
  shard: number;
  seed: number;
  x: TensorHandle;
  gOut: TensorHandle;
  /** Gradient w.r.t. the input; null for the first layer (nobody needs it). */
  gIn: TensorHandle | null;
  params: TensorHandle[];
  /** Per-shard parameter gradients (overwritten, so a re-run message is harmless). */
  gParams: TensorHandle[];
  /**
   * In a synchronised step (Linear layers): compute the weight gradient through a shared queue of
   * column blocks, which replicas waiting at the next barrier help with (see `SharedGemm`).
   */
  shared?: { sync: StepSync; work: SharedGemm };
}

/**
 * One shard's weight gradient gW = gᵀ·x of a Linear layer, as column blocks of gW that any replica
 * of a synchronised step may claim: the owner opens the queue, everyone claims blocks until none is
 * left, the owner waits until all are done. Every block is computed exactly as the whole product
 * would be (`kernels.gemmBlock`), so who computes what never changes a bit.
 */
export interface SharedGemm {
  shard: number;
  /** [n, in] inputs, [n, out] output gradients, [out, in] weight gradient (written). */
  x: TensorHandle;
  g: TensorHandle;
  gw: TensorHandle;
  blocks: number;
}

export type LossKind = 'crossEntropy' | 'mse' | 'mae' | 'huber' | 'bce' | 'bceWithLogits';

export interface LossMsg {
  op: 'loss';
  actor: string;
  kind: LossKind;
  shard: number;
  pred: TensorHandle;
  target: TensorHandle;
  gPred: TensorHandle;
  /** Size of the whole batch: the shard's loss is Σ (per-sample loss) / batchSize, so shards add up to the batch mean. */
  batchSize: number;
  /** In a synchronised step: where the other replicas read this shard's loss (`losses[shard]`). */
  losses?: Float64Array;
}

export interface ReduceMsg {
  op: 'reduce';
  actor: string;
  /** shardGrads[s][j]: shard s's gradient of parameter chunk j (float64). */
  shardGrads: TensorHandle[][];
  /** Reduced gradients, one per parameter chunk, in the parameter's dtype. */
  grads: TensorHandle[];
  /**
   * In a synchronised step: the replicas share the chunks, each claiming the next unclaimed one
   * (its home range first, see `home`), and write each chunk's Σg² to `sync.sq` (the reply then
   * carries no values).
   */
  sync?: StepSync;
  /**
   * In a synchronised step: the replica sending it. Replica r claims from the r-th of `parties`
   * equal ranges of chunks first, so that the same chunks are reduced and stepped by the same
   * thread step after step (their gradients, optimiser state and backups stay in its caches).
   */
  home?: number;
}

export interface OptimizerConfig {
  /** An alias of @actorgrad/optim: sgd, adam, adamw, … */
  name: string;
  /** Its options (camelCase, as the alias takes them); `lr` is set per step by the engine. */
  options: Record<string, unknown>;
}

/** One parameter chunk's optimiser step: its key in the parameter tree, its memory and its state. */
export interface StepItem {
  key: string;
  param: TensorHandle;
  grad: TensorHandle;
  state: unknown;
  /** Arrays of this chunk's optimiser state that died when the last step committed: reusable memory. */
  recycle?: FloatArray[];
  /** In a synchronised step (required there): where the chunk is copied before it is stepped (for a roll-back). */
  backup?: TensorHandle;
  /** In a synchronised step (required there): the slots the chunk's optimiser state lives in (`state` is then unused). */
  slots?: ChunkSlots;
}

export interface StepMsg {
  op: 'step';
  actor: string;
  optimizer: OptimizerConfig;
  lr: number;
  /** Multiplies the gradients first (global-norm clipping decided by the engine); 1 = none. */
  gradScale: number;
  /** The chunks this actor steps, each with its own state (elementwise optimisers: no chunk sees another). */
  items: StepItem[];
  /**
   * In a synchronised step: the replicas share the chunks as in `ReduceMsg.sync`. Each first checks
   * the step (Σ losses in shard order and Σg² in chunk order must be finite; if not, nobody steps)
   * and derives the clipping scale itself, so `gradScale` is ignored.
   */
  sync?: StepSync & { clipNorm: number | null };
  /** In a synchronised step: the replica sending it (as `ReduceMsg.home`). */
  home?: number;
  /** In a step program: which slot holds the current optimiser states (see `StepItem.slots`). */
  parity?: 0 | 1;
}

/**
 * Shared memory through which the replicas of one step coordinate without the main thread (a
 * synchronised step: one route per replica, from its shard's forward pass to its share of the
 * optimiser step).
 */
export interface StepSync {
  /** Int32 slots, see `SYNC`. */
  ctl: Int32Array;
  /** Replicas taking part. */
  parties: number;
  /** Per chunk: Σg² of the reduced gradient (float64), written by whoever reduced it. */
  sq: Float64Array;
  /** Per shard: its loss (float64). */
  losses: Float64Array;
  /** Per chunk: 0 untouched, 1 backed up and being stepped, 2 stepped. */
  stepped: Int32Array;
  /** How long a replica waits for the others at a barrier before giving up (ms). */
  timeoutMs: number;
  /**
   * How long a replica spins (ms) before it sleeps at a barrier or on another replica's blocks. A
   * sleeping thread takes ≈ 0.25 ms to wake on this machine, longer than most waits inside a step;
   * 0 when there are more replicas than cores (a spinning replica would take a core from another).
   */
  spinMs: number;
  /** Shared weight-gradient queues: [wake counter, then per shard: open, claimed, done]. */
  coop: Int32Array;
}

/**
 * The slots of `StepSync.ctl`: two barriers, the abort flag, then the claim counters — per kind of
 * claimed work (`CLAIM`), one per replica, counting the claims taken from that replica's home range.
 */
export const SYNC = { arrivedReduce: 0, arrivedStep: 1, abort: 2, claims: 3 } as const;
/** The kinds of work the replicas of a synchronised step claim chunk by chunk. */
export const CLAIM = { reduce: 0, step: 1 } as const;
/** Int32 slots of `StepSync.ctl` for `parties` replicas. */
export const syncCtlSize = (parties: number) => SYNC.claims + 2 * parties;

/** A barrier of a synchronised step: wait until every replica has arrived (or the step is aborted). */
export interface SyncMsg {
  op: 'sync';
  actor: string;
  sync: StepSync;
  slot: typeof SYNC.arrivedReduce | typeof SYNC.arrivedStep;
  /** Work to help with while waiting (other shards' weight gradients). */
  help?: SharedGemm[];
}

/** Test hook: ends the worker thread that runs it (only honoured when the pool allows it). */
export interface CrashMsg {
  op: 'crash';
  actor: string;
}

/**
 * Several actors' messages that depend on each other, run back to back by one pool task (see
 * `main/route.ts`); stops at the first failure.
 */
export interface RouteMsg {
  op: 'route';
  /** The first actor's name (for display). */
  actor: string;
  msgs: ActorMsg[];
}

/**
 * A synchronised step as a *program*: the routes of every replica (see the engine's synchronised
 * step) are sent to a thread once and kept there; each step then sends only what changes — the
 * step number, the learning rate, the slot parity of the optimiser states and where each shard's
 * inputs and targets are. A thread that does not hold program `id` answers `missing` and gets it
 * again (`program` set).
 */
export interface ProgramMsg {
  op: 'program';
  actor: string;
  /** Unique per program (a program is rebuilt when the batch shape, the buffers or the states change). */
  id: string;
  /** The replica whose route to run. */
  replica: number;
  step: number;
  lr: number;
  parity: 0 | 1;
  /** Per shard: its rows of the batch's inputs and targets (none: the program's own inputs hold them). */
  shards?: { x: TensorHandle; target: TensorHandle }[];
  /** The program itself, when the thread may not hold it yet. */
  program?: StepProgram;
}

/** The part of a step program that stays: per replica, its route's messages. */
export interface StepProgram {
  routes: ActorMsg[][];
  /** Per shard: the handles (referenced by the routes) whose memory each step re-points at its batch. */
  inputs: { x: TensorHandle; target: TensorHandle }[];
}

/**
 * Shared memory through which the engine drives resident step loops (`ResidentMsg`): a bell the
 * engine rings once per step, the step's parameters, and what each replica reports back.
 */
export interface ResidentCtl {
  /** Int32 slots, see `RESIDENT` (per-replica slots follow the fixed ones). */
  i32: Int32Array;
  /**
   * [step, learning rate, slot parity, then per replica the value of a non-finite loss or norm, then
   * per replica when its loop woke for the step and when it reported (epoch ms:
   * `performance.timeOrigin + performance.now()`, comparable across threads)].
   */
  f64: Float64Array;
  /** Per replica, per message of its route: the message's time (µs). */
  micros: Float64Array;
}

/**
 * Slots of `ResidentCtl.i32`; then per replica r: status (3 + r), non-finite what (3 + R + r), and
 * ready (3 + 2R + r): the bell's value once the engine has copied the batch's rows for replica r's
 * shard (it copies them after ringing, while the threads wake).
 */
export const RESIDENT = { bell: 0, quit: 1, done: 2, fixed: 3 } as const;
/**
 * Where replica r's words are in a `ResidentCtl` of R replicas (the one description of the layout,
 * for the engine's side and the loops'): in `i32` its status, non-finite what and ready flag; in
 * `f64` the non-finite value, when it woke and when it reported.
 */
export function residentSlots(R: number, r: number) {
  return {
    status: RESIDENT.fixed + r,
    nonFinite: RESIDENT.fixed + R + r,
    ready: RESIDENT.fixed + 2 * R + r,
    nonFiniteValue: 3 + r,
    wokeAt: 3 + R + 2 * r,
    reportedAt: 3 + R + 2 * r + 1,
  };
}

/** The lengths of a `ResidentCtl`'s `i32` and `f64` for R replicas; `replicas` reads R back from `i32`. */
export const residentSizes = (R: number) => ({ i32: RESIDENT.fixed + 3 * R, f64: 3 + 3 * R });
export const residentReplicas = (i32: Int32Array) => (i32.length - RESIDENT.fixed) / 3;

/** A replica's status in `ResidentCtl.i32`. */
export const RESIDENT_STATUS = { pending: 0, ok: 1, failed: 2 } as const;

/**
 * A resident step loop (worker threads only): holds step program `id` and runs replica `replica`'s
 * route each time the bell rings, with the step number, learning rate and parity from `ctl` and the
 * batch already copied into the program's own inputs. It reports through `ctl` and keeps the thread
 * until the engine sets `quit`, or until its route fails (it then returns that route's reply). A
 * step then costs no pool task: no message to post, clone and answer, and the replicas' threads are
 * woken together by one notify.
 */
export interface ResidentMsg {
  op: 'resident';
  actor: string;
  id: string;
  replica: number;
  program: StepProgram;
  ctl: ResidentCtl;
  /** The bell's value when the loop was posted: it runs at the next ring after it. */
  bell: number;
}

export type ActorMsg = ForwardMsg | BackwardMsg | LossMsg | ReduceMsg | StepMsg | SyncMsg | CrashMsg | RouteMsg | ProgramMsg | ResidentMsg;

/**
 * What a message returns. Errors thrown by a layer come back as values, so that a rejected task
 * always means infrastructure trouble (a dead thread) and can be retried. A route also returns each
 * of its messages' replies, and on failure the index of the message that failed.
 */
export type ActorReply =
  | {
      ok: true;
      value?: number;
      values?: number[];
      /** A step's next optimiser states, and per state the old arrays no longer referenced. */
      states?: unknown[];
      dead?: FloatArray[][];
      /** A synchronised step that nobody took, because the loss or the gradient norm was not finite. */
      nonFinite?: { what: 'loss' | 'gradient norm'; value: number };
      replies?: ActorReply[];
      micros: number;
    }
  | {
      ok: false;
      error: string;
      at?: number;
      replies?: ActorReply[];
      micros: number;
      /** Left a synchronised step that was called off, or whose barrier timed out. */
      aborted?: boolean;
      /** A step program this thread does not hold (send it again with the program). */
      missing?: boolean;
    };

/** What a worker thread reports about itself through its control API. */
export interface WorkerInfo {
  threadId: number;
  messages: number;
  busyMicros: number;
  heapUsedBytes: number;
  /** The GEMM kernel the thread runs: the main thread's when the pool started (see `poolExecutor`). */
  kernels: kernels.KernelChoice;
  /** Bytes in use on the engine's heap as this thread sees it (it adopted the heap's memory), or null: no heap. */
  wasmHeapBytes: number | null;
  /** The URL of the thread's worker code: `dist`, the bundle of the sources (see `poolExecutor`), or the sources through tsx. */
  entry: string;
}

/** The control API each worker thread serves over comlink (a call fits better than a message here). */
export interface ControlApi {
  info(): WorkerInfo;
  ping(x: number): number;
}

/** The task that gives a worker thread its control port (see `worker/control.ts`). */
export interface ControlTask {
  op: 'control';
  port: import('node:worker_threads').MessagePort;
  barrier: Int32Array;
  parties: number;
}

/**
 * The task that lets a worker answer its control port: idle pool threads wait in `Atomics.wait`
 * (fast task hand-off), so their event loop only turns while a task is running; this one keeps it
 * turning until `done[0]` is set. One per thread, via the same barrier as `ControlTask`.
 */
export interface PumpTask {
  op: 'pump';
  barrier: Int32Array;
  parties: number;
  done: Int32Array;
}
