import { Observable, defer, firstValueFrom, forkJoin, map, mergeMap } from 'rxjs';
import type { ActorMsg, ActorReply, RouteMsg } from '../protocol.js';
import type { Actor } from './actor.js';
import type { Executor } from './executor.js';

/** One stop of a route: an actor and the message it processes there. */
export interface RouteStop {
  actor: Actor;
  msg: ActorMsg;
}

/** What a route returns: one reply per stop that ran (all of them unless one failed, which is then the last). */
export type RouteReply = { ok: true; replies: ActorReply[] } | { ok: false; at: number; error: string; replies: ActorReply[]; aborted: boolean; missing: boolean };

/** A route's reply as the pool task returned it, as a `RouteReply`. */
export function routeReply(r: ActorReply): RouteReply {
  const replies = r.replies ?? [];
  if (r.ok) return { ok: true, replies };
  return { ok: false, at: r.at ?? replies.length - 1, error: r.error, replies, aborted: r.aborted ?? false, missing: r.missing ?? false };
}

/**
 * Reserves every actor on a route, each for its number of stops — synchronously, in route order
 * (see `Actor.reserve`) — and gives the reservations and a release of them all.
 */
function reserveRoute(stops: RouteStop[]): { holds: ReturnType<Actor['reserve']>[]; release: () => void } {
  const counts = new Map<Actor, number>();
  for (const s of stops) counts.set(s.actor, (counts.get(s.actor) ?? 0) + 1);
  const holds = [...counts].map(([actor, n]) => actor.reserve(n));
  return {
    holds,
    release: () => {
      for (const h of holds) h.release();
    },
  };
}

/**
 * Runs a chain of actor messages that depend on each other — a shard's forward pass through every
 * layer, its loss and its backward pass — as one pool task, instead of one task (and one trip
 * through the main thread) per message. Every actor on the route is reserved first (`Actor.reserve`),
 * so each still processes one message at a time and the route waits its turn in every mailbox; the
 * messages and their arithmetic are exactly those of sending them one by one.
 *
 * A rejected task (a dead thread) rejects the observable and may be retried: every message of a
 * route overwrites its outputs, so re-running the whole route is harmless.
 *
 * `post`, if given, is what goes to the pool instead of the stops' messages: a step program's
 * message (`ProgramMsg`), which runs the same messages from the copy the thread holds.
 */
export function sendRoute(executor: Executor, stops: RouteStop[], post?: ActorMsg): Observable<RouteReply> {
  return defer(() => {
    const { holds, release: releaseAll } = reserveRoute(stops);
    const msg: ActorMsg = post ?? ({ op: 'route', actor: stops[0]?.actor.name ?? 'route', msgs: stops.map((s) => s.msg) } satisfies RouteMsg);
    return forkJoin(holds.map((h) => h.held)).pipe(
      mergeMap(() => executor.run(msg)),
      map((r): RouteReply => {
        const reply = routeReply(r);
        reply.replies.forEach((one, i) => stops[i]!.actor.record(stops[i]!.msg.op, one.micros));
        return reply;
      }),
      (src) =>
        new Observable<RouteReply>((sub) => {
          const s = src.subscribe(sub);
          return () => {
            s.unsubscribe();
            releaseAll();
          };
        }),
    );
  });
}

/**
 * Reserves every actor on a route (in route order, like `sendRoute`) for messages run elsewhere —
 * by a resident step loop; gives the release once all of them are held (at once if every mailbox
 * was idle, else a promise of it).
 */
export function holdRoute(stops: RouteStop[]): (() => void) | Promise<() => void> {
  const { holds, release } = reserveRoute(stops);
  // Every mailbox was idle (the usual case): held already, no need to wait for a turn.
  if (holds.every((h) => h.heldNow())) return release;
  return firstValueFrom(forkJoin(holds.map((h) => h.held))).then(
    () => release,
    (e: unknown) => {
      release();
      throw e;
    },
  );
}
