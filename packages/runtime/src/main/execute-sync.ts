import { fmtShape } from '@actorgrad/core';
import { firstValueFrom } from 'rxjs';
import { abortStep } from '../actors/sync.js';
import { sharedArray } from '../arena.js';
import type { EngineEvent } from '../events.js';
import { type OptimizerConfig, type ProgramMsg, type StepSync, syncCtlSize } from '../protocol.js';
import { ActorError, NonFiniteError } from './errors.js';
import { type Executor, defaultThreads } from './executor.js';
import { rows } from './handles.js';
import type { Messenger } from './messenger.js';
import { type ReplicaOutcome, ResidentLoops, type StepTimes } from './resident.js';
import type { StepRollback } from './rollback.js';
import { type RouteReply, holdRoute, sendRoute } from './route.js';
import { type Program, buildProgram } from './step-program.js';
import type { OptimizerSlots, SlotSet } from './step-slots.js';
import type { Batch, Chunk, Layer, OkReply, ShardBuffers, StepOutcome } from './step-state.js';
import type { StopMaker } from './stops.js';

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

/**
 * Step programs kept, most recent first (one per batch shape seen lately: an epoch's full batches
 * and its last one). As many as a thread holds (`MAX_HELD` in `actors/program.ts`).
 */
const MAX_PROGRAMS = 4;

/** What one synchronised step runs on (besides what the executor keeps from step to step). */
export interface SyncStep {
  batch: Batch;
  step: number;
  lr: number;
  stops: StopMaker;
  rollback: StepRollback;
  /** The step arena's generation now (programs are built over its buffers). */
  generation: number;
  /** Resets the step arena and allocates the step's buffers. */
  allocate: () => ShardBuffers[];
}

/** What the executor needs of the engine, fixed for its life. */
export interface SyncEngine {
  executor: Executor;
  layers: Layer[];
  chunks: Chunk[];
  slots: OptimizerSlots;
  messenger: Messenger;
  events: { next(e: EngineEvent): void };
  optimizer: OptimizerConfig;
  clipNorm: number | null;
  replicas: number;
  shards: number;
}

/**
 * The synchronised step (every replica serves one shard and has a thread of its own): one route
 * per replica — its shard's forward, loss and backward, a barrier, its claims of the reduction,
 * a barrier, its claims of the optimiser step — coordinated through shared memory, with no trip
 * through the main thread in between. The routes are a step program (`ProgramMsg`): built and
 * sent once, then re-run each step with only the step number, learning rate, slot parity and the
 * batch's rows; the optimiser states stay in their slots (`actors/slots.ts`). On a pool the program
 * runs on resident loops; inline, as one program message per step.
 */
export class SyncExecutor {
  /** Shared memory of the synchronised step, allocated on first use. */
  sync: StepSync | null = null;
  /** The step program of the last synchronised step. */
  program: Program | null = null;
  /** Step programs over the current slots, one per batch shape, most recent first (at most `MAX_PROGRAMS`). */
  private kept: Program[] = [];
  /** Resident step loops running the current program (pool executors), made on first use. */
  private loops: ResidentLoops | null = null;
  /** Whether the last step ran on the resident loops (and `stepTimes` describes it). */
  private lastOnLoops = false;
  /** Makes program ids unique across engines that share a thread (inline, tests). */
  private readonly uid = Math.random().toString(36).slice(2, 10);
  private programs = 0;

  constructor(private readonly e: SyncEngine) {}

  /**
   * Runs one step. Resolves to null when a thread died or a barrier timed out: whatever was
   * stepped is then put back (the engine runs the step again message by message); throws a
   * replica's error after putting back the same.
   */
  async run(s: SyncStep): Promise<StepOutcome | null> {
    const sync = this.memory();
    const { batch } = s;
    const key = `${fmtShape(batch.x.shape)}|${batch.x.dtype}|${batch.y.dtype}|${fmtShape(batch.y.shape.slice(1))}|${s.stops.c.training}|${s.generation}`;
    const program = this.programFor(key, sync, this.e.slots.current(), s);
    this.program = program;
    const parity = program.slots.parity;
    const abort = () => abortStep(sync);
    const replies = program.own ? await this.onLoops(program, s, parity, abort) : await this.byMessages(program, s, parity, abort);
    return this.conclude(program, s, parity, replies);
  }

  /** The kept program for this key over these slots, else a new one (a program for other slots is dropped). */
  private programFor(key: string, sync: StepSync, slots: SlotSet, s: SyncStep): Program {
    // A program is valid while built for this batch shape over the current slots. Programs for
    // other shapes share the step arena's memory with it: only one step runs at a time.
    const prog = this.kept.find((p) => p.key === key && p.sync === sync && p.slots === slots);
    if (prog) {
      if (this.kept[0] !== prog) this.kept = [prog, ...this.kept.filter((p) => p !== prog)];
      return prog;
    }
    const e = this.e;
    const made = buildProgram({
      id: `${this.uid}:${++this.programs}`, key, sync, set: slots, bufs: s.allocate(), stops: s.stops, layers: e.layers, chunks: e.chunks,
      optimizer: e.optimizer, clipNorm: e.clipNorm, lr: s.lr, ownInputs: e.executor.kind === 'pool',
    });
    this.kept = [made, ...this.kept.filter((p) => p.slots === slots)].slice(0, MAX_PROGRAMS);
    return made;
  }

  /** A step of a program as one program message per replica (the inline executor's way: it re-points the program's inputs at the batch). */
  private byMessages(program: Program, s: SyncStep, parity: 0 | 1, abort: () => void): Promise<ReplicaOutcome[]> {
    const { batch, step, lr } = s;
    const shards = s.stops.c.plan.shards.map(({ shard: sh }) => ({ x: rows(batch.x, sh.start, sh.end).handle(), target: rows(batch.y, sh.start, sh.end).handle() }));
    const post = (r: number, body: boolean): ProgramMsg => ({
      op: 'program', actor: program.stops[r]![0]!.actor.name, id: program.id, replica: r, step, lr, parity, shards, ...(body && { program: program.body }),
    });
    // The first step of a program brings it; a thread that was not sent it asks again.
    const body = !program.sent;
    program.sent = true;
    const run = (r: number, withBody: boolean) => firstValueFrom(sendRoute(this.e.executor, program.stops[r]!, post(r, withBody)));
    return Promise.all(
      program.stops.map((stops, r) => {
        for (const st of stops) this.e.messenger.announce(st.actor, st.msg, r);
        return run(r, body)
          .then((reply) => (!reply.ok && reply.missing ? run(r, true) : reply))
          .then(
            (reply): ReplicaOutcome => {
              if (!reply.ok) abort();
              return { reply, lost: null };
            },
            (lost: unknown): ReplicaOutcome => {
              abort();
              return { reply: null, lost };
            },
          );
      }),
    );
  }

  /**
   * A step of a program on resident loops (pool executors): the batch is copied into the
   * program's own inputs, every actor on the routes is reserved, the bell rung; each message's
   * time comes back through shared memory.
   */
  private async onLoops(program: Program, s: SyncStep, parity: 0 | 1, abort: () => void): Promise<ReplicaOutcome[]> {
    // The rows are copied after the bell, while the threads wake (replica r waits for shard r's).
    const inputs = program.own!;
    const { batch } = s;
    const from = s.stops.c.plan.shards.map(({ shard: sh }) => ({ x: rows(batch.x, sh.start, sh.end).data, target: rows(batch.y, sh.start, sh.end).data }));
    const fill = (r: number) => {
      inputs[r]!.x.data.set(from[r]!.x);
      inputs[r]!.target.data.set(from[r]!.target);
    };
    if (this.loops === null) this.loops = new ResidentLoops(this.e.executor, this.e.replicas, program.stops[0]!.length, defaultThreads());
    await this.loops.ensure(program.id, program.body, program.stops);
    const holds = program.stops.map((stops) => holdRoute(stops));
    const releases = holds.every((h) => typeof h === 'function') ? (holds as (() => void)[]) : await Promise.all(holds);
    program.stops.forEach((stops, r) => {
      for (const st of stops) this.e.messenger.announce(st.actor, st.msg, r);
    });
    try {
      const outcomes = await this.loops.step(s.step, s.lr, parity, abort, fill);
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
  }

  /** How a program step ended: throws a replica's error, resolves null if lost, else commits and gives the losses and norm. */
  private conclude(program: Program, s: SyncStep, parity: 0 | 1, replies: ReplicaOutcome[]): StepOutcome | null {
    const { sync } = program;
    const { step } = s;
    const failed = replies.findIndex(({ reply }) => reply && !reply.ok && !reply.aborted && !reply.missing);
    const lost = replies.find(({ reply }) => !reply || (!reply.ok && (reply.aborted || reply.missing)));
    // A chunk backed up may be half stepped: put back; the states' slot p is untouched.
    if (failed >= 0 || lost) s.rollback.restoreStepped(sync.stepped);
    if (failed >= 0) {
      const reply = replies[failed]!.reply as Extract<RouteReply, { ok: false }>;
      const stop = program.stops[failed]![reply.at]!;
      throw new ActorError(stop.actor.name, stop.msg.op, 'shard' in stop.msg ? stop.msg.shard : null, reply.error);
    }
    if (lost) {
      const why = lost.reply && !lost.reply.ok ? lost.reply.error : lost.lost instanceof Error ? lost.lost.message : String(lost.lost);
      this.e.events.next({ type: 'warning', step, message: `synchronised step lost (${why}); re-running it message by message` });
      return null;
    }
    const decided = (replies[0]!.reply as Extract<RouteReply, { ok: true }>).replies[program.stops[0]!.length - 1] as OkReply;
    if (decided.nonFinite) throw new NonFiniteError(step, decided.nonFinite.what, decided.nonFinite.value);
    let stepped = 0;
    for (let c = 0; c < sync.stepped.length; c++) if (sync.stepped[c] === 2) stepped++;
    if (stepped !== this.e.chunks.length) throw new Error(`engine: internal error: ${stepped} of ${this.e.chunks.length} optimiser chunks were stepped`);
    // Commit: the next states are in the other slot (the chunks' state objects are made when asked for).
    this.e.slots.commit(program.slots, parity);
    // Replica r served shard r: the losses in shard order.
    // Plain loops, not Array.from / filter / reduce: on a main thread whose caches the step has
    // evicted, this conclusion took 33 µs with them and takes 13 µs with loops.
    const losses = new Array<number>(sync.losses.length);
    for (let i = 0; i < losses.length; i++) losses[i] = sync.losses[i]!;
    let sq = 0;
    for (let c = 0; c < sync.sq.length; c++) sq += sync.sq[c]!; // chunk order
    return { losses, gradNorm: Math.sqrt(sq) };
  }

  /** The synchronised step's shared memory, cleared for a new step. */
  private memory(): StepSync {
    const R = this.e.replicas;
    const chunks = this.e.chunks.length;
    this.sync ??= {
      ctl: sharedArray(Int32Array, syncCtlSize(R)),
      parties: R,
      sq: sharedArray(Float64Array, chunks),
      losses: sharedArray(Float64Array, this.e.shards),
      stepped: sharedArray(Int32Array, chunks),
      timeoutMs: SYNC_TIMEOUT_MS,
      spinMs: R <= defaultThreads() ? SYNC_SPIN_MS : 0,
      coop: sharedArray(Int32Array, 1 + 3 * this.e.shards),
    };
    const s = this.sync;
    s.ctl.fill(0);
    s.coop.fill(0);
    s.stepped.fill(0);
    s.sq.fill(Number.NaN);
    s.losses.fill(Number.NaN);
    return s;
  }

  /** Ends the resident loops (the pool's threads are needed for other messages); the next step starts them again. */
  async stopLoops(): Promise<void> {
    await this.loops?.stop();
  }

  /** Forgets the last step's times (a step that is not on the loops is starting). */
  forgetTimes(): void {
    this.lastOnLoops = false;
  }

  /** When the phases of the last step happened, if it ran on resident loops; else null (see `Engine.stepTimes`). */
  stepTimes(): StepTimes | null {
    return this.lastOnLoops ? (this.loops?.lastTimes() ?? null) : null;
  }
}
