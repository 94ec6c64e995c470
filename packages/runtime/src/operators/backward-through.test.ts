import { defer, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { FakePool, backwardMsg } from '../../test/fake-executor.js';
import { backwardThrough } from './backward-through.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('backwardThrough', () => {
  it('visits the layers from the last to the first', () => {
    const scheduler = testScheduler();
    const visits: [number, number, string][] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const stage = (l: number, item: string) =>
        defer(() => {
          visits.push([scheduler.now(), l, item]);
          return timer(1);
        });
      expectObservable(cold('(a|)').pipe(backwardThrough(4, stage))).toBe('----(a|)');
    });
    expect(visits).toEqual([
      [0, 3, 'a'],
      [1, 2, 'a'],
      [2, 1, 'a'],
      [3, 0, 'a'],
    ]);
  });

  it('lets the next item start the last layer while an item is in an earlier one', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const stages: Record<string, ReturnType<typeof cold>[]> = { a: [cold('--|'), cold('--|')], b: [cold('--|'), cold('--|')] };
      expectObservable(cold('-a-b|').pipe(backwardThrough(2, (l, item: string) => stages[item]![l]!))).toBe('-----a-(b|)');
      expectSubscriptions(stages.a![1]!.subscriptions).toBe('-^-!');
      expectSubscriptions(stages.a![0]!.subscriptions).toBe('---^-!');
      expectSubscriptions(stages.b![1]!.subscriptions).toBe('---^-!');
      expectSubscriptions(stages.b![0]!.subscriptions).toBe('-----^-!');
    });
  });

  it('pipelines shards in reverse through per-layer actors', () => {
    const scheduler = testScheduler();
    const pool = new FakePool(scheduler, { cost: { backward: 2 } });
    scheduler.run(({ cold, expectObservable }) => {
      const actors = [pool.actor('L0'), pool.actor('L1'), pool.actor('L2')];
      const shards = cold('(ab|)', { a: 0, b: 1 });
      expectObservable(shards.pipe(backwardThrough(3, (l, s: number) => actors[l]!.send(backwardMsg(l, s))))).toBe('6ms a 1ms (b|)', { a: 0, b: 1 });
    });
    const frames = (actor: string) => pool.runsOf(actor).map((r) => [r.shard, r.start, r.end]);
    expect(frames('L2')).toEqual([[0, 0, 2], [1, 2, 4]]);
    expect(frames('L1')).toEqual([[0, 2, 4], [1, 4, 6]]);
    expect(frames('L0')).toEqual([[0, 4, 6], [1, 6, 8]]);
    expect(pool.runs.every((r) => r.msg.op === 'backward' && r.msg.layer.index === Number(r.actor.slice(1)))).toBe(true);
  });
});
