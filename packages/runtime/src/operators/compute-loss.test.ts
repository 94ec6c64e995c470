import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { FakePool, lossMsg, replyValue } from '../../test/fake-executor.js';
import { computeLoss } from './compute-loss.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('computeLoss', () => {
  it("emits each item's loss when its stage replies", () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const losses: Record<string, number> = { a: 0.5, b: 0.25 };
      const stage = (item: string) => cold('--(l|)', { l: losses[item]! });
      expectObservable(cold('-a--b|').pipe(computeLoss(stage))).toBe('---A--(B|)', { A: { item: 'a', loss: 0.5 }, B: { item: 'b', loss: 0.25 } });
    });
  });

  it('does not wait for earlier items: a fast loss overtakes a slow one', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const stages: Record<string, ReturnType<typeof cold<number>>> = { a: cold('----(l|)', { l: 0.7 }), b: cold('-(l|)', { l: 0.1 }) };
      expectObservable(cold('-a-b|').pipe(computeLoss((item: string) => stages[item]!))).toBe('----B(A|)', { A: { item: 'a', loss: 0.7 }, B: { item: 'b', loss: 0.1 } });
      expectSubscriptions(stages.a!.subscriptions).toBe('-^---!');
      expectSubscriptions(stages.b!.subscriptions).toBe('---^!');
    });
  });

  it('asks one loss actor, which takes the shards one at a time', () => {
    const scheduler = testScheduler();
    const pool = new FakePool(scheduler, { cost: { loss: 2 }, value: (m) => (m.op === 'loss' ? m.shard / 10 : undefined) });
    scheduler.run(({ cold, expectObservable }) => {
      const actor = pool.actor('loss');
      const shards = cold('(ab|)', { a: 1, b: 2 });
      const stage = (s: number) => actor.send(lossMsg(s)).pipe(replyValue);
      expectObservable(shards.pipe(computeLoss(stage))).toBe('--A-(B|)', { A: { item: 1, loss: 0.1 }, B: { item: 2, loss: 0.2 } });
    });
  });

  it('fails when a loss fails', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const stage = () => cold<number>('--#', undefined, new Error('loss failed'));
      expectObservable(cold('-a|').pipe(computeLoss(stage))).toBe('---#', undefined, new Error('loss failed'));
    });
  });
});
