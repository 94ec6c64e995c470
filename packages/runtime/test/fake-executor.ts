import type { TensorHandle } from '@actorgrad/core';
import { Observable, type OperatorFunction, type SchedulerLike, type Subscription, map, timer } from 'rxjs';
import { Actor } from '../src/main/actor.js';
import type { Executor } from '../src/main/executor.js';
import type { ActorMsg, ActorReply, BackwardMsg, ForwardMsg, LayerDesc, LossMsg, ReduceMsg, StepMsg } from '../src/protocol.js';

type Op = ActorMsg['op'];

/** One message as the fake pool ran it: which actor, on which thread, from `start` to `end` (virtual frames). */
export interface Run {
  actor: string;
  op: Op;
  shard: number | null;
  thread: number;
  start: number;
  end: number;
  msg: ActorMsg;
}

export interface FakePoolOptions {
  /** Virtual frames a message takes, per op or per message. */
  cost: Partial<Record<Op, number>> | ((msg: ActorMsg) => number);
  /** The reply's `value` (a loss, a squared norm); `actor` is the name the executor was made for. */
  value?: (msg: ActorMsg, actor: string) => number | undefined;
  /** Messages running at once; the rest wait in arrival order, as in piscina's queue. Default: no limit. */
  threads?: number;
}

interface Pending {
  actor: string;
  msg: ActorMsg;
  reply: (r: ActorReply, thread: number, start: number) => void;
  started?: Subscription;
  thread?: number;
}

/**
 * An in-process pool in virtual time: a message takes `cost(msg)` frames of `scheduler` (a timer),
 * on the lowest free thread, then replies `{ok: true, value, micros: cost}`. Every run is recorded
 * in `runs` (in completion order).
 */
export class FakePool {
  readonly runs: Run[] = [];
  private readonly queue: Pending[] = [];
  private readonly busy = new Set<number>();

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly opts: FakePoolOptions,
  ) {}

  private cost(msg: ActorMsg): number {
    // A route costs what its messages cost one after another.
    if (msg.op === 'route') return msg.msgs.reduce((a, m) => a + this.cost(m), 0);
    const c = typeof this.opts.cost === 'function' ? this.opts.cost(msg) : this.opts.cost[msg.op];
    if (c === undefined) throw new Error(`FakePool: no cost for op ${msg.op}`);
    return c;
  }

  /** An `Executor` whose runs are recorded under `actor`. */
  executor(actor = 'anonymous'): Executor {
    const threads = this.opts.threads ?? Number.POSITIVE_INFINITY;
    return {
      kind: 'pool',
      threads,
      run: (msg) =>
        new Observable<ActorReply>((sub) => {
          const job: Pending = {
            actor,
            msg,
            reply: (r, thread, start) => {
              this.runs.push({ actor, op: msg.op, shard: 'shard' in msg ? msg.shard : null, thread, start, end: this.scheduler.now(), msg });
              sub.next(r);
              sub.complete();
            },
          };
          this.queue.push(job);
          this.pump();
          return () => {
            const i = this.queue.indexOf(job);
            if (i >= 0) this.queue.splice(i, 1);
            // Unsubscribed while running (e.g. the step failed elsewhere): free the thread.
            if (job.started && job.thread !== undefined) {
              job.started.unsubscribe();
              this.release(job);
              this.pump();
            }
          };
        }),
      workerInfo: async () => [],
      close: async () => {},
    };
  }

  /** A mailbox actor named `name` on this pool. */
  actor(name: string): Actor {
    return new Actor(name, this.executor(name));
  }

  /** The runs of one actor, in the order it processed them. */
  runsOf(actor: string): Run[] {
    return this.runs.filter((r) => r.actor === actor).sort((p, q) => p.start - q.start);
  }

  private release(job: Pending): void {
    if (job.thread !== undefined) this.busy.delete(job.thread);
    job.thread = undefined;
  }

  private pump(): void {
    const threads = this.opts.threads ?? Number.POSITIVE_INFINITY;
    while (this.busy.size < threads && this.queue.length > 0) {
      const job = this.queue.shift()!;
      let thread = 0;
      while (this.busy.has(thread)) thread++;
      this.busy.add(thread);
      job.thread = thread;
      const start = this.scheduler.now();
      const cost = this.cost(job.msg);
      job.started = timer(cost, this.scheduler).subscribe(() => {
        this.release(job);
        const { msg, actor } = job;
        const one = (m: ActorMsg): ActorReply => ({ ok: true, value: this.opts.value?.(m, actor), micros: this.cost(m) });
        job.reply(msg.op === 'route' ? { ok: true, replies: msg.msgs.map(one), micros: cost } : one(msg), thread, start);
        this.pump();
      });
    }
  }
}

/** A zero-length handle: fake messages carry no tensors. */
const NONE: TensorHandle = { buffer: new SharedArrayBuffer(0), byteOffset: 0, shape: [0], dtype: 'float32' };

const desc = (index: number): LayerDesc => ({ index, name: `${index}:Linear`, spec: { type: 'Linear' } });

export const forwardMsg = (layer: number, shard: number): ForwardMsg => ({
  op: 'forward', actor: `L${layer}`, layer: desc(layer), step: 0, shard, seed: 0, training: true, x: NONE, out: NONE, params: [],
});

export const backwardMsg = (layer: number, shard: number): BackwardMsg => ({
  op: 'backward', actor: `L${layer}`, layer: desc(layer), step: 0, shard, seed: 0, x: NONE, gOut: NONE, gIn: null, params: [], gParams: [],
});

export const lossMsg = (shard: number): LossMsg => ({ op: 'loss', actor: 'loss', kind: 'mse', shard, pred: NONE, target: NONE, gPred: NONE, batchSize: 1 });

export const reduceMsg = (layer: number): ReduceMsg => ({ op: 'reduce', actor: `L${layer}`, shardGrads: [], grads: [] });

export const stepMsg = (layer: number, gradScale: number): StepMsg => ({
  op: 'step', actor: `L${layer}`, optimizer: { name: 'sgd', options: {} }, lr: 0.1, gradScale, items: [],
});

/** A reply's `value` (NaN if it has none or failed), as the engine's loss and reduce stages read it. */
export const replyValue: OperatorFunction<ActorReply, number> = map((r) => (r.ok && r.value !== undefined ? r.value : Number.NaN));
