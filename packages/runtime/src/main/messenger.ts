import { type MonoTypeOperatorFunction, type Observable, type Subject, defer, map, retry, timer } from 'rxjs';
import type { EngineEvent } from '../events.js';
import type { ActorMsg } from '../protocol.js';
import type { Actor } from './actor.js';
import { ActorError } from './errors.js';
import type { Executor } from './executor.js';
import { type RouteStop, sendRoute } from './route.js';
import type { OkReply } from './step-state.js';

/**
 * Sends actor messages and routes for the engine: announces each on `events$`, re-runs one whose
 * thread died (with a warning each time), and turns a layer's error into an `ActorError`.
 */
export class Messenger {
  constructor(
    private readonly executor: Executor,
    private readonly events: Subject<EngineEvent>,
    private readonly retries: number,
    /** The step running (named in events). */
    private readonly stepOf: () => number,
  ) {}

  /** Re-subscribes (re-runs) a message or route whose thread died, with a warning each time. */
  private retrying<T>(what: string, beforeRetry?: () => void): MonoTypeOperatorFunction<T> {
    const step = this.stepOf();
    return retry({
      count: this.retries,
      delay: (err: unknown, attempt: number) => {
        this.events.next({ type: 'warning', step, message: `${what} lost (${err instanceof Error ? err.message : String(err)}); re-running it, attempt ${attempt}` });
        beforeRetry?.();
        return timer(0);
      },
    });
  }

  /** Says on `events$` that a message goes out (only if someone listens). */
  announce(actor: Actor, msg: ActorMsg, shard: number | null): void {
    if (this.events.observed) this.events.next({ type: 'message', step: this.stepOf(), actor: actor.name, op: msg.op, shard });
  }

  /** Sends a message, retrying if its thread died, and turns a layer's error into an `ActorError`. */
  send(actor: Actor, msg: ActorMsg, shard: number | null, beforeRetry?: () => void): Observable<OkReply> {
    return defer(() => {
      this.announce(actor, msg, shard);
      return actor.send(msg);
    }).pipe(
      this.retrying(`${actor.name}: ${msg.op}${shard === null ? '' : ` (shard ${shard})`}`, beforeRetry),
      map((r) => {
        if (!r.ok) throw new ActorError(actor.name, msg.op, shard, r.error);
        return r;
      }),
    );
  }

  /** Sends a route (see `sendRoute`) like `send` sends one message; emits the replies in route order. */
  sendStops(stops: RouteStop[], shard: number | null, beforeRetry?: () => void): Observable<OkReply[]> {
    return defer(() => {
      for (const s of stops) this.announce(s.actor, s.msg, shard);
      return sendRoute(this.executor, stops);
    }).pipe(
      this.retrying(`route from ${stops[0]?.actor.name}${shard === null ? '' : ` (shard ${shard})`}`, beforeRetry),
      map((r) => {
        if (!r.ok) {
          const s = stops[r.at]!;
          throw new ActorError(s.actor.name, s.msg.op, shard, r.error);
        }
        return r.replies as OkReply[];
      }),
    );
  }
}
