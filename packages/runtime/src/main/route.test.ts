import { TestScheduler } from 'rxjs/testing';
import { map, mergeMap, of, tap, throwError, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { FakePool, backwardMsg, forwardMsg, lossMsg } from '../../test/fake-executor.js';
import type { ActorMsg } from '../protocol.js';
import { Actor } from './actor.js';
import type { Executor } from './executor.js';
import { type RouteReply, sendRoute } from './route.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const cost = { forward: 2, loss: 1, backward: 3 };

describe('sendRoute', () => {
  it("runs a shard's messages back to back as one pool task and credits each actor with its own", () => {
    const scheduler = testScheduler();
    const pool = new FakePool(scheduler, { cost, value: (m) => (m.op === 'loss' ? 0.5 : undefined) });
    scheduler.run(({ expectObservable, flush }) => {
      const l0 = pool.actor('L0');
      const loss = pool.actor('loss');
      const stops = [
        { actor: l0, msg: forwardMsg(0, 0) },
        { actor: loss, msg: lossMsg(0) },
        { actor: l0, msg: backwardMsg(0, 0) },
      ];
      // One task of 2 + 1 + 3 frames; the loss comes back among the route's replies.
      const lossOf = map((r: RouteReply) => {
        const reply = r.replies[1];
        return reply?.ok ? reply.value : -1;
      });
      expectObservable(sendRoute(pool.executor('route'), stops).pipe(lossOf)).toBe('------(v|)', { v: 0.5 });
      flush();
      expect(pool.runs.map((r) => [r.actor, r.op, r.start, r.end])).toEqual([['route', 'route', 0, 6]]);
      expect([l0.messages, l0.busyByOp.forward, l0.busyByOp.backward, l0.busyMicros]).toEqual([2, 2, 3, 5]);
      expect([loss.messages, loss.busyMicros]).toEqual([1, 1]);
      expect([l0.queueDepth, loss.queueDepth]).toEqual([0, 0]);
    });
  });

  it('waits until every actor on the route is free, and holds them all until it is done', () => {
    const scheduler = testScheduler();
    const pool = new FakePool(scheduler, { cost });
    scheduler.run(({ cold, flush }) => {
      const a = pool.actor('A');
      const b = pool.actor('B');
      // A is busy with a backward message (frames 0–3) when the route A → B arrives at frame 1;
      // a message for B that arrives at frame 2, after the route reserved B, waits for the route.
      const first = cold('a|').pipe(map(() => a.send(backwardMsg(0, 9))));
      const route = cold('-r|').pipe(map(() => sendRoute(pool.executor('route'), [{ actor: a, msg: forwardMsg(0, 0) }, { actor: b, msg: forwardMsg(1, 0) }])));
      const late = cold('--l|').pipe(map(() => b.send(forwardMsg(1, 1))));
      first.subscribe((inner) => inner.subscribe());
      route.subscribe((inner) => inner.subscribe());
      late.subscribe((inner) => inner.subscribe());
      flush();
      expect(pool.runs.map((r) => [r.actor, r.start, r.end])).toEqual([
        ['A', 0, 3],
        ['route', 3, 7],
        ['B', 7, 9],
      ]);
    });
  });

  it('gives the actors back when the caller unsubscribes before the route ran', () => {
    const scheduler = testScheduler();
    const pool = new FakePool(scheduler, { cost });
    scheduler.run(({ flush }) => {
      const a = pool.actor('A');
      const busy = a.send(backwardMsg(0, 9)).subscribe();
      const sub = sendRoute(pool.executor('route'), [{ actor: a, msg: forwardMsg(0, 0) }]).subscribe();
      expect(a.queueDepth).toBe(2);
      sub.unsubscribe();
      const after = a.send(forwardMsg(0, 1)).subscribe();
      flush();
      expect(pool.runs.map((r) => [r.actor, r.op, r.start])).toEqual([
        ['A', 'backward', 0],
        ['A', 'forward', 3],
      ]);
      expect(a.queueDepth).toBe(0);
      busy.unsubscribe();
      after.unsubscribe();
    });
  });
});

describe('Actor.reserve', () => {
  it('takes an idle actor at once; what comes while it holds waits for the release, in order', () => {
    const scheduler = testScheduler();
    const pool = new FakePool(scheduler, { cost });
    scheduler.run(({ flush }) => {
      const a = pool.actor('A');
      const first = a.reserve(2);
      expect(first.heldNow()).toBe(true);
      expect(a.queueDepth).toBe(2);
      const order: string[] = [];
      a.send(forwardMsg(0, 0)).subscribe(() => order.push('m1'));
      const second = a.reserve(1); // behind the message: not held yet
      expect(second.heldNow()).toBe(false);
      second.held.subscribe({
        complete: () => {
          order.push('r2');
          second.release();
        },
      });
      a.send(forwardMsg(0, 1)).subscribe(() => order.push('m2'));
      flush();
      expect(order).toEqual([]); // nothing ran while the first reservation held the actor
      expect(pool.runs).toEqual([]);
      expect(a.queueDepth).toBe(5);
      first.release();
      first.release(); // twice is once
      flush();
      expect(order).toEqual(['m1', 'r2', 'm2']);
      expect(pool.runs.map((r) => [r.start, r.end])).toEqual([
        [0, 2],
        [2, 4],
      ]);
      expect(a.queueDepth).toBe(0);
      expect(a.reserve(1).heldNow()).toBe(true); // idle again
    });
  });
});

describe('Actor.send', () => {
  it('starts a message to an idle actor at once; the rest wait their turn in order, and a failed one does not stop the mailbox', () => {
    const scheduler = testScheduler();
    const pool = new FakePool(scheduler, { cost });
    scheduler.run(({ flush }) => {
      const inner = pool.executor('A');
      // The forward message of shard 1 fails (a thread died) after 2 frames; the others run as FakePool runs them.
      const failing: Executor = {
        ...inner,
        run: (msg) => (msg.op === 'forward' && msg.shard === 1 ? timer(2).pipe(mergeMap(() => throwError(() => new Error('lost')))) : inner.run(msg)),
      };
      const a = new Actor('A', failing);
      const seen: string[] = [];
      const send = (msg: ActorMsg, tag: string) =>
        a.send(msg).subscribe({ next: () => seen.push(`${tag}@${scheduler.now()}`), error: (e: Error) => seen.push(`${tag} failed: ${e.message}@${scheduler.now()}`) });
      send(forwardMsg(0, 0), 'f0');
      expect(pool.runs).toEqual([]);
      expect(a.queueDepth).toBe(1);
      send(forwardMsg(0, 1), 'f1');
      const r = a.reserve(1); // behind the messages: not held yet
      expect(r.heldNow()).toBe(false);
      r.held.subscribe({
        complete: () => {
          seen.push(`held@${scheduler.now()}`);
          r.release();
        },
      });
      send(backwardMsg(0, 0), 'b0');
      expect(a.queueDepth).toBe(4);
      flush();
      expect(seen).toEqual(['f0@2', 'f1 failed: lost@4', 'held@4', 'b0@7']);
      expect(pool.runs.map((x) => [x.op, x.start, x.end])).toEqual([
        ['forward', 0, 2],
        ['backward', 4, 7],
      ]);
      expect(a.queueDepth).toBe(0);
      expect([a.messages, a.busyMicros]).toEqual([2, 5]);
      // Idle again: the next message starts at once.
      send(forwardMsg(0, 2), 'f2');
      flush();
      expect(seen.at(-1)).toBe(`f2@${scheduler.now()}`);
      expect(pool.runs.at(-1)!.start).toBe(scheduler.now() - 2);
    });
  });

  it('runs messages one at a time in arrival order on an inline executor too (each finishes before the next starts)', () => {
    const order: string[] = [];
    const a = new Actor('A', {
      kind: 'inline',
      threads: 1,
      run: (msg) => {
        order.push(`start ${msg.op}`);
        return of({ ok: true as const, micros: 1 }).pipe(
          tap(() => {
            order.push(`end ${msg.op}`);
            // A message sent while one runs waits for it.
            if (msg.op === 'forward') a.send(backwardMsg(0, 0)).subscribe();
          }),
        );
      },
      workerInfo: async () => [],
      close: async () => {},
    });
    a.send(forwardMsg(0, 0)).subscribe();
    a.send(lossMsg(0)).subscribe();
    // The backward message came (from inside the forward's run) before the loss was sent.
    expect(order).toEqual(['start forward', 'end forward', 'start backward', 'end backward', 'start loss', 'end loss']);
    expect([a.messages, a.queueDepth]).toEqual([3, 0]);
  });
});
