import type { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { FakePool, forwardMsg } from '../../test/fake-executor.js';
import { forwardThrough } from './forward-through.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('forwardThrough', () => {
  it('sends an item through the layers in order and lets the next item start layer 0 while it is in layer 1', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      // One cold stage per (layer, item), 2 frames each, so each stage's subscription shows when it ran.
      const stages: Record<string, ReturnType<typeof cold>[]> = { a: [cold('--|'), cold('--|')], b: [cold('--|'), cold('--|')] };
      const items = cold('-a-b|');
      expectObservable(items.pipe(forwardThrough(2, (l, item: string) => stages[item]![l]!))).toBe('-----a-(b|)');
      expectSubscriptions(stages.a![0]!.subscriptions).toBe('-^-!');
      expectSubscriptions(stages.a![1]!.subscriptions).toBe('---^-!');
      expectSubscriptions(stages.b![0]!.subscriptions).toBe('---^-!'); // while a is in layer 1
      expectSubscriptions(stages.b![1]!.subscriptions).toBe('-----^-!');
    });
  });

  it('does not serialise items by itself: items arriving together finish together', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('(ab|)').pipe(forwardThrough(2, () => cold('--|')))).toBe('----(ab|)');
    });
  });

  it('emits each item when its last stage completes, not when the stage emits', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // The stage replies at frame 1 but completes at frame 3: the next layer waits for completion.
      expectObservable(cold('(a|)').pipe(forwardThrough(2, () => cold('-x-|')))).toBe('------(a|)');
    });
  });

  it('passes items straight through with no layers', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b|').pipe(forwardThrough(0, () => cold('--|')))).toBe('-a-b|');
    });
  });

  it('fails the stream at the frame a stage fails, without starting later layers', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const last = cold('--|');
      const stages = [cold('--|'), cold('-#', undefined, new Error('layer 1 failed')), last];
      expectObservable(cold('-a|').pipe(forwardThrough(3, (l) => stages[l]!))).toBe('----#', undefined, new Error('layer 1 failed'));
      expectSubscriptions(last.subscriptions).toBe([]);
    });
  });

  describe('with one mailbox actor per layer (in-process pool)', () => {
    it('pipelines shards: shard i+1 is in layer 1 while shard i is in layer 2', () => {
      const scheduler = testScheduler();
      const pool = new FakePool(scheduler, { cost: { forward: 2 } });
      scheduler.run(({ cold, expectObservable }) => {
        const actors = [pool.actor('L0'), pool.actor('L1'), pool.actor('L2')];
        const stage = (l: number, s: number): Observable<unknown> => actors[l]!.send(forwardMsg(l, s));
        const shards = cold('(abc|)', { a: 0, b: 1, c: 2 });
        expectObservable(shards.pipe(forwardThrough(3, stage))).toBe('6ms a 1ms b 1ms (c|)', { a: 0, b: 1, c: 2 });
      });
      const frames = (actor: string) => pool.runsOf(actor).map((r) => [r.shard, r.start, r.end]);
      expect(frames('L0')).toEqual([[0, 0, 2], [1, 2, 4], [2, 4, 6]]);
      expect(frames('L1')).toEqual([[0, 2, 4], [1, 4, 6], [2, 6, 8]]);
      expect(frames('L2')).toEqual([[0, 4, 6], [1, 6, 8], [2, 8, 10]]);
      // At frames 4–6 all three layers are busy, each with a different shard.
      const busyAt4 = pool.runs.filter((r) => r.start <= 4 && r.end > 4).map((r) => `${r.actor}:${r.shard}`);
      expect(busyAt4.sort()).toEqual(['L0:2', 'L1:1', 'L2:0']);
    });

    it('makes a second item wait until the layer actor is free', () => {
      const scheduler = testScheduler();
      const pool = new FakePool(scheduler, { cost: { forward: 3 } });
      scheduler.run(({ cold, expectObservable }) => {
        const actors = [pool.actor('L0'), pool.actor('L1')];
        const shards = cold('-a-b|', { a: 0, b: 1 });
        // b arrives at 3 but L0 is busy with a until 4; without mailboxes b would be done at 9.
        expectObservable(shards.pipe(forwardThrough(2, (l, s: number) => actors[l]!.send(forwardMsg(l, s))))).toBe('-------a--(b|)', { a: 0, b: 1 });
      });
      expect(pool.runsOf('L0').map((r) => [r.shard, r.start, r.end])).toEqual([[0, 1, 4], [1, 4, 7]]);
      expect(pool.runsOf('L1').map((r) => [r.shard, r.start, r.end])).toEqual([[0, 4, 7], [1, 7, 10]]);
    });

    it('with a single pool thread, shards and layers share it one message at a time', () => {
      const scheduler = testScheduler();
      const pool = new FakePool(scheduler, { cost: { forward: 2 }, threads: 1 });
      scheduler.run(({ cold, expectObservable }) => {
        const actors = [pool.actor('L0'), pool.actor('L1')];
        const shards = cold('(ab|)', { a: 0, b: 1 });
        expectObservable(shards.pipe(forwardThrough(2, (l, s: number) => actors[l]!.send(forwardMsg(l, s))))).toBe('4ms a 3ms (b|)', { a: 0, b: 1 });
      });
      // A reply travels on before its mailbox takes the next message, so shard 0 reaches the pool's
      // queue for L1 ahead of shard 1 for L0: depth first, never two messages at once.
      expect(pool.runs.map((r) => [r.actor, r.shard, r.start, r.thread])).toEqual([
        ['L0', 0, 0, 0],
        ['L1', 0, 2, 0],
        ['L0', 1, 4, 0],
        ['L1', 1, 6, 0],
      ]);
    });
  });
});
