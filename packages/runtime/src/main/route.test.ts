import { TestScheduler } from 'rxjs/testing';
import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { FakePool, backwardMsg, forwardMsg, lossMsg } from '../../test/fake-executor.js';
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

