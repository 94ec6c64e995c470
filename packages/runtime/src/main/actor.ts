import { AsyncSubject, Observable, Subject, concatMap, finalize, tap } from 'rxjs';
import type { ActorMsg, ActorReply } from '../protocol.js';
import type { Executor } from './executor.js';

interface Job {
  /** What the mailbox runs when the job reaches its head; completes when the actor is free again. */
  work: Observable<unknown>;
  /** Messages the job stands for (queue depth). */
  count: number;
}

/** What a reservation taken at once (`Actor.reserve` on an idle mailbox) reports as `held`. */
const HELD = new AsyncSubject<void>();
HELD.next();
HELD.complete();

/**
 * An actor: a named mailbox that processes one message at a time (`concatMap`; a message to an idle
 * mailbox starts at once), each on whichever pool thread is free. Keeps its busy time, message
 * count and queue depth for the event stream.
 *
 * Besides single messages, a mailbox can be *reserved* (`reserve`): the reservation waits its turn
 * like a message, then holds the actor until released. A route (`main/route.ts`) reserves every
 * actor it visits and runs their messages back to back in one pool task.
 */
export class Actor {
  private readonly inbox = new Subject<Job>();
  /** Jobs given to the inbox and not finished (queued or running). */
  private inFlight = 0;
  /**
   * Held by a job taken at once on an idle mailbox, outside the inbox (a message, or a reservation);
   * jobs that come meanwhile wait in `parked`.
   */
  private heldAtOnce = false;
  private parked: Job[] = [];
  busyMicros = 0;
  /** Busy time by message kind (forward, backward, loss, reduce, step). */
  readonly busyByOp: Record<string, number> = {};
  messages = 0;
  queueDepth = 0;

  constructor(
    readonly name: string,
    private readonly executor: Executor,
  ) {
    this.inbox
      .pipe(
        concatMap((job) =>
          job.work.pipe(
            finalize(() => {
              this.queueDepth -= job.count;
              this.inFlight--;
            }),
            // A failed job must not stop the mailbox.
            (src) => new Observable<unknown>((sub) => src.subscribe({ error: () => sub.complete(), complete: () => sub.complete() })),
          ),
        ),
      )
      .subscribe();
  }

  /** Counts a processed message (its busy time comes from the thread that ran it). */
  record(op: string, micros: number): void {
    this.busyMicros += micros;
    this.busyByOp[op] = (this.busyByOp[op] ?? 0) + micros;
    this.messages++;
  }

  /**
   * Gives a job to the mailbox: parks it while a job taken at once holds the actor; on an idle
   * mailbox (nothing queued or running) runs it at once, without a trip through the stream (a
   * message's round trip on the pool: 43.7 instead of 45.0 µs p50; piscina's own is 41.4); else
   * queues it in the inbox.
   */
  private enqueue(job: Job): void {
    if (this.heldAtOnce) {
      this.parked.push(job);
      return;
    }
    if (this.inFlight === 0) {
      this.heldAtOnce = true;
      const done = () => {
        this.queueDepth -= job.count;
        this.unpark();
      };
      // A failed job must not stop the mailbox (its sender gets the error through `work`).
      job.work.subscribe({ complete: done, error: done });
      return;
    }
    this.inFlight++;
    this.inbox.next(job);
  }

  /** Ends a hold taken at once: the jobs parked meanwhile go to the mailbox, in order. */
  private unpark(): void {
    this.heldAtOnce = false;
    const parked = this.parked;
    this.parked = [];
    for (const job of parked) this.enqueue(job);
  }

  /** Enqueues a message; the observable emits the reply once the actor has processed it. */
  send(msg: ActorMsg): Observable<ActorReply> {
    return new Observable<ActorReply>((sub) => {
      this.queueDepth++;
      this.enqueue({
        count: 1,
        work: this.executor.run(msg).pipe(
          tap({
            next: (r) => {
              this.record(msg.op, r.micros);
              sub.next(r);
              sub.complete();
            },
            error: (e) => sub.error(e),
          }),
        ),
      });
    });
  }

  /**
   * Reserves the actor for `count` messages run elsewhere (a route): `held` emits and completes when the
   * reservation reaches the head of the mailbox; the actor takes nothing else until `release()`.
   * Reservations are enqueued synchronously, so routes that reserve several actors in the same
   * order can never wait for each other in a cycle. On an idle mailbox (nothing queued or running)
   * the reservation is taken at once, without a trip through the stream (≈ 10 µs each); whatever
   * comes while it holds the actor waits, in order, until it is released. That case has its own
   * path here, not `enqueue`'s at-once path, which would build an observable and a subject per
   * reservation: taking a step program's reservations then cost ≈ 30 µs more per step, releasing
   * them 15–20 µs more (main-thread marks, p50 of 350 steps).
   */
  reserve(count: number): { held: Observable<void>; heldNow: () => boolean; release: () => void } {
    let done = false;
    this.queueDepth += count;
    if (this.inFlight === 0 && !this.heldAtOnce) {
      this.heldAtOnce = true;
      return {
        held: HELD,
        heldNow: () => true,
        release: () => {
          if (done) return;
          done = true;
          this.queueDepth -= count;
          this.unpark();
        },
      };
    }
    const held = new AsyncSubject<void>();
    let isHeld = false;
    let free: (() => void) | null = null;
    this.enqueue({
      count,
      work: new Observable<unknown>((sub) => {
        if (done) {
          sub.complete();
          return;
        }
        isHeld = true;
        free = () => sub.complete();
        held.next();
        held.complete();
      }),
    });
    return {
      held,
      // An idle mailbox starts the reservation at once (synchronously, inside `inbox.next`).
      heldNow: () => isHeld,
      release: () => {
        if (done) return;
        done = true;
        free?.();
      },
    };
  }
}
