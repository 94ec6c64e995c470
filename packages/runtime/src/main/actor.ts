import { Observable, Subject, concatMap, finalize, tap } from 'rxjs';
import type { ActorMsg, ActorReply } from '../protocol.js';
import type { Executor } from './executor.js';

interface Job {
  msg: ActorMsg;
  reply: (r: ActorReply) => void;
  fail: (e: unknown) => void;
}

/**
 * An actor: a named mailbox that processes one message at a time (`concatMap`), each on whichever
 * pool thread is free. Keeps its busy time, message count and queue depth for the event stream.
 */
export class Actor {
  private readonly inbox = new Subject<Job>();
  busyMicros = 0;
  /** Busy time by message kind (forward, backward, loss, reduce, step). */
  readonly busyByOp: Record<string, number> = {};
  messages = 0;
  queueDepth = 0;

  constructor(
    readonly name: string,
    executor: Executor,
  ) {
    this.inbox
      .pipe(
        concatMap((job) =>
          executor.run(job.msg).pipe(
            tap({
              next: (r) => {
                this.busyMicros += r.micros;
                this.busyByOp[job.msg.op] = (this.busyByOp[job.msg.op] ?? 0) + r.micros;
                this.messages++;
                job.reply(r);
              },
              error: (e) => job.fail(e),
            }),
            finalize(() => {
              this.queueDepth--;
            }),
            // A failed job must not stop the mailbox.
            (src) => new Observable<ActorReply>((sub) => src.subscribe({ next: (v) => sub.next(v), error: () => sub.complete(), complete: () => sub.complete() })),
          ),
        ),
      )
      .subscribe();
  }

  /** Enqueues a message; the observable emits the reply once the actor has processed it. */
  send(msg: ActorMsg): Observable<ActorReply> {
    return new Observable<ActorReply>((sub) => {
      this.queueDepth++;
      this.inbox.next({
        msg,
        reply: (r) => {
          sub.next(r);
          sub.complete();
        },
        fail: (e) => sub.error(e),
      });
    });
  }
}
