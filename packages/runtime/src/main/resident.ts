import { firstValueFrom } from 'rxjs';
import { type ActorReply, RESIDENT, RESIDENT_STATUS, type ResidentCtl, type ResidentMsg, type StepProgram, residentSizes, residentSlots } from '../protocol.js';
import { sharedArray } from '../arena.js';
import type { Executor } from './executor.js';
import { type RouteReply, type RouteStop, routeReply } from './route.js';

/** `Atomics.waitAsync` (Node ≥ 16; not in this TypeScript lib yet). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: false; value: string } | { async: true; value: Promise<string> } }).waitAsync;

/** How long the engine spins for the last replicas' reports once one has reported (ms). */
const END_SPIN_MS = 1;

/** What one replica's route of a step came to: its reply, or why it was lost (its thread died). */
export type ReplicaOutcome = { reply: RouteReply; lost: null } | { reply: null; lost: unknown };

/**
 * When the phases of the last step on the loops happened (epoch ms, `performance.timeOrigin +
 * performance.now()` on each thread): the bell, each replica's wake-up and report, and when the
 * engine saw the last report; and each replica's messages with their times. For measuring where a
 * step's time goes (`bench/timeline.ts`).
 */
export interface StepTimes {
  bellAt: number;
  sawAt: number;
  replicas: { wokeAt: number; reportedAt: number; messages: { op: string; micros: number }[] }[];
}

interface Ended {
  r: number;
  reply: ActorReply | null;
  error: unknown;
}

interface Running {
  id: string;
  /** Per replica: its loop's pool task (settles when the loop ends). */
  tasks: Promise<ActorReply>[];
  /** The same, never rejecting; and the first of them to end (made once: a step only awaits them). */
  ended: Promise<Ended>[];
  anyEnded: Promise<Ended>;
  /** Set when a loop ended outside a step (its thread died between steps). */
  broken: boolean;
}

/**
 * The engine's side of resident step loops (`ResidentMsg`): one pool task per replica that stays on
 * its thread and runs the step program's route each time the bell rings. A step is then: write the
 * step's parameters, ring, wait until every replica has reported — no task to post, clone, wake a
 * thread for and answer per step. Loops end when `stop` is called (before the pool is used for
 * anything else), when a route fails, or when their thread dies; `ensure` starts them again.
 */
export class ResidentLoops {
  readonly ctl: ResidentCtl;
  /** Where each replica's words are in `ctl`. */
  private readonly at: ReturnType<typeof residentSlots>[];
  private running: Running | null = null;
  /** A `stop` in progress (loops are told to quit; their threads are not free yet). */
  private stopping: Promise<void> | null = null;
  /**
   * Ends idle loops: a loop's task keeps the process alive, an engine nobody steps should not. One
   * timer, re-armed only when it fires too early — not a timer per step (clearing and setting one
   * took ≈ 28 µs of the main thread per step).
   */
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  /** When the last step let the loops go (`performance.now()`); NaN while a step holds them. */
  private idleSince = Number.NaN;
  private idleMs = 0;

  /** Whether the main thread may spin at the end of a step: only if a core is free once a replica has reported. */
  private readonly spinAtEnd: boolean;

  constructor(
    private readonly executor: Executor,
    private readonly replicas: number,
    private readonly routeLength: number,
    cores: number,
  ) {
    this.spinAtEnd = replicas <= cores;
    this.at = Array.from({ length: replicas }, (_, r) => residentSlots(replicas, r));
    this.ctl = {
      i32: sharedArray(Int32Array, residentSizes(replicas).i32),
      f64: sharedArray(Float64Array, residentSizes(replicas).f64),
      micros: sharedArray(Float64Array, replicas * routeLength),
    };
  }

  /** The ops of each replica's route (for `lastTimes`), and when the last step's bell rang and its last report was seen. */
  private ops: string[][] = [];
  private bellAt = Number.NaN;
  private sawAt = Number.NaN;

  /** Whether loops of program `id` are running and whole. */
  holds(id: string): boolean {
    return this.running !== null && this.running.id === id && !this.running.broken;
  }

  /** Starts the loops of program `id` (ending any others first). */
  async ensure(id: string, program: StepProgram, stops: RouteStop[][]): Promise<void> {
    this.idleSince = Number.NaN;
    if (this.holds(id)) return;
    await this.stop();
    const bell = Atomics.load(this.ctl.i32, RESIDENT.bell);
    this.ops = stops.map((route) => route.map((s) => s.msg.op));
    const tasks = stops.map((route, r) => {
      const msg: ResidentMsg = { op: 'resident', actor: route[0]!.actor.name, id, replica: r, program, ctl: this.ctl, bell };
      return firstValueFrom(this.executor.run(msg));
    });
    const ended = tasks.map((t, r) => t.then((reply): Ended => ({ r, reply, error: null }), (error: unknown): Ended => ({ r, reply: null, error })));
    const run: Running = { id, tasks, ended, anyEnded: Promise.race(ended), broken: false };
    // A loop only ends by itself inside a step (which awaits it); one that fails between steps lost
    // its thread. Marked straight from the task (not through `ended`): a step that starts right
    // after a thread died then already knows.
    for (const t of tasks) {
      t.catch(() => {
        run.broken = true;
      });
    }
    this.running = run;
  }

  /**
   * Runs one step on the loops: the step's parameters are written, the bell rung, each replica's
   * inputs filled (`fill(r)`, while the threads wake; each replica waits for its own), and the
   * replicas' reports awaited. If a loop ends instead of reporting (its route failed, or its thread
   * died), or a fill throws, `abort` is called so that the others leave their barriers, and every
   * loop is awaited: they are all gone then (the engine re-runs the step message by message).
   */
  async step(step: number, lr: number, parity: 0 | 1, abort: () => void, fill: (r: number) => void): Promise<ReplicaOutcome[]> {
    const run = this.running;
    if (!run) throw new Error('resident loops: not running');
    const { i32, f64, micros } = this.ctl;
    const R = this.replicas;
    const failedFill = this.ring(step, lr, parity, abort, fill);
    let early = failedFill !== null;
    const { ended, anyEnded } = run;
    let spun = false;
    for (let done = Atomics.load(i32, RESIDENT.done); done < R; done = Atomics.load(i32, RESIDENT.done)) {
      if (done > 0 && !spun && this.spinAtEnd) {
        // A replica has reported, so its core is free: spin on it for the others (briefly — a
        // thread may have died), instead of sleeping and paying a wake-up after the last report
        // (last report → main thread going on, p25/p50: 2–30/44–104 µs spinning, 53/104–125 µs not).
        spun = true;
        const until = performance.now() + END_SPIN_MS;
        while (Atomics.load(i32, RESIDENT.done) === done && performance.now() < until);
        continue;
      }
      const w = waitAsync(i32, RESIDENT.done, done);
      if (!w.async) continue;
      if ((await Promise.race([w.value.then(() => null), anyEnded])) !== null) {
        early = true;
        break;
      }
    }
    this.sawAt = performance.timeOrigin + performance.now();
    const ok = (r: number) => Atomics.load(i32, this.at[r]!.status) === RESIDENT_STATUS.ok;
    const okOutcome = (r: number): ReplicaOutcome => {
      const L = this.routeLength;
      const replies = new Array<ActorReply>(L);
      for (let k = 0; k < L; k++) replies[k] = { ok: true, micros: micros[r * L + k]! };
      // The optimiser step (the route's last message) found the loss or the gradient norm not finite.
      const what = i32[this.at[r]!.nonFinite];
      if (what !== 0) Object.assign(replies[L - 1]!, { nonFinite: { what: what === 1 ? 'loss' : 'gradient norm', value: f64[this.at[r]!.nonFiniteValue]! } });
      return { reply: { ok: true, replies }, lost: null };
    };
    let allOk = !early;
    for (let r = 0; allOk && r < R; r++) allOk = ok(r);
    if (allOk) {
      const outcomes = new Array<ReplicaOutcome>(R);
      for (let r = 0; r < R; r++) outcomes[r] = okOutcome(r);
      return outcomes;
    }
    // A route failed or a thread died: the others are told to leave the step, and the loops to end.
    abort();
    this.running = null;
    Atomics.store(i32, RESIDENT.quit, 1);
    Atomics.add(i32, RESIDENT.bell, 1);
    Atomics.notify(i32, RESIDENT.bell);
    const outcomes = await Promise.all(ended);
    Atomics.store(i32, RESIDENT.quit, 0);
    return outcomes.map(({ r, reply, error }): ReplicaOutcome => {
      if (failedFill !== null) return { reply: null, lost: failedFill.error };
      if (ok(r)) return okOutcome(r);
      if (!reply) return { reply: null, lost: error };
      if (reply.ok) return { reply: null, lost: new Error(`the resident loop of replica ${r} ended without reporting`) };
      return { reply: routeReply(reply), lost: null };
    });
  }

  /**
   * Writes the step's parameters and rings the bell, then fills each replica's inputs and lets it
   * go. A fill that throws stops the step (a replica that ran on the inputs as they were is told to
   * leave at its next barrier, before the optimiser), but every replica is let go; its error is
   * returned (null if every fill went through).
   */
  private ring(step: number, lr: number, parity: 0 | 1, abort: () => void, fill: (r: number) => void): { error: unknown } | null {
    const { i32, f64 } = this.ctl;
    f64[0] = step;
    f64[1] = lr;
    f64[2] = parity;
    i32.fill(0, RESIDENT.done);
    this.bellAt = performance.timeOrigin + performance.now();
    const bell = Atomics.add(i32, RESIDENT.bell, 1) + 1;
    Atomics.notify(i32, RESIDENT.bell);
    let failed: { error: unknown } | null = null;
    for (let r = 0; r < this.replicas; r++) {
      if (failed === null) {
        try {
          fill(r);
        } catch (error) {
          failed = { error };
          abort();
        }
      }
      Atomics.store(i32, this.at[r]!.ready, bell);
      Atomics.notify(i32, this.at[r]!.ready);
    }
    return failed;
  }

  /** The times of the last step run on the loops (see `StepTimes`); null before the first. */
  lastTimes(): StepTimes | null {
    if (Number.isNaN(this.bellAt)) return null;
    const { f64, micros } = this.ctl;
    return {
      bellAt: this.bellAt,
      sawAt: this.sawAt,
      replicas: this.ops.map((ops, r) => ({
        wokeAt: f64[this.at[r]!.wokeAt]!,
        reportedAt: f64[this.at[r]!.reportedAt]!,
        messages: ops.map((op, k) => ({ op, micros: micros[r * this.routeLength + k]! })),
      })),
    };
  }

  /** Ends the loops (they leave at the next ring) and waits until their threads are free. */
  async stop(): Promise<void> {
    this.clearIdle();
    const run = this.running;
    if (run) {
      this.running = null;
      const { i32 } = this.ctl;
      Atomics.store(i32, RESIDENT.quit, 1);
      Atomics.add(i32, RESIDENT.bell, 1);
      Atomics.notify(i32, RESIDENT.bell);
      this.stopping = Promise.allSettled(run.tasks).then(() => {
        Atomics.store(i32, RESIDENT.quit, 0);
        this.stopping = null;
      });
    }
    await this.stopping;
  }

  /** Stops the loops if no step comes within `ms` (called after each step). */
  stopWhenIdle(ms: number): void {
    this.idleSince = performance.now();
    this.idleMs = ms;
    if (!this.idleTimer) this.armIdle(ms);
  }

  private armIdle(ms: number): void {
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      // A step holds the loops: its end arms the timer again.
      if (Number.isNaN(this.idleSince)) return;
      const left = this.idleSince + this.idleMs - performance.now();
      if (left > 0) this.armIdle(left);
      else void this.stop();
    }, ms);
    this.idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
